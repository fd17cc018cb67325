package io.kvdb.replication.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between a replica and its master, for fault tests: {@link #cut()} drops
 * every open connection (both ends see a reset link), {@link #stall(boolean)} stops forwarding
 * bytes without closing anything (a hung network or a stalled peer), {@link #target(int)} points
 * new connections elsewhere (a master restarted on another port). Traffic only to 127.0.0.1.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong forwarded = new AtomicLong();
  private volatile int target;
  private volatile boolean stalled;
  private volatile long cutAt = Long.MAX_VALUE;
  private volatile long stallAt = Long.MAX_VALUE;
  private volatile boolean closed;
  private volatile boolean down;
  private final Object stallLock = new Object();

  public TcpProxy(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "tcp-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public void target(int port) {
    this.target = port;
  }

  /** Bytes forwarded so far, both directions. */
  public long forwarded() {
    return forwarded.get();
  }

  /** Cuts every connection as soon as {@code bytes} in all have been forwarded (exactly there). */
  public void cutAfter(long bytes) {
    cutAt = bytes;
  }

  /** Stalls (as {@link #stall}) as soon as {@code bytes} in all have been forwarded. */
  public void stallAfter(long bytes) {
    stallAt = bytes;
  }

  /** The pending cutAfter threshold, or Long.MAX_VALUE once it cut (or none was set). */
  public long cutAt() {
    return cutAt;
  }

  /**
   * While down, every new connection is closed at once, as if the link were cut (the master
   * unreachable); {@link #down(boolean) down(true)} also cuts the open ones.
   */
  public void down(boolean value) {
    down = value;
    if (value) {
      cut();
    }
  }

  public void cut() {
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // cutting anyway
      }
    }
    open.clear();
  }

  public void stall(boolean value) {
    stalled = value;
    if (!value) {
      synchronized (stallLock) {
        stallLock.notifyAll();
      }
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (down) {
          client.close();
          continue;
        }
        Socket upstream = new Socket();
        try {
          upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 << 10];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                  awaitUnstalled();
                  out.write(buf, 0, n);
                  long total = forwarded.addAndGet(n);
                  if (total >= stallAt) {
                    stallAt = Long.MAX_VALUE;
                    stalled = true;
                  }
                  if (total >= cutAt) {
                    cutAt = Long.MAX_VALUE;
                    cut();
                  }
                }
              } catch (IOException | InterruptedException e) {
                // the link is gone
              } finally {
                close(from);
                close(to);
              }
            },
            "tcp-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private void awaitUnstalled() throws InterruptedException {
    synchronized (stallLock) {
      while (stalled && !closed) {
        stallLock.wait(1000);
      }
    }
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    stall(false);
    server.close();
    cut();
  }
}
