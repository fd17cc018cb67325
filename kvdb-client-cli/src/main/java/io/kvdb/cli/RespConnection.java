package io.kvdb.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking RESP2 connection: sends a command as an array of bulk strings and reads one reply.
 * Reconnects on demand after a failure. Not thread-safe: the REPL uses it from one thread.
 */
public final class RespConnection implements AutoCloseable {
  private final String host;
  private final int port;
  private final Duration timeout;
  private final String password;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  public RespConnection(String host, int port, Duration timeout, String password) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
    this.password = password;
  }

  public String address() {
    return host + ":" + port;
  }

  public boolean connected() {
    return socket != null && !socket.isClosed();
  }

  /** Connects (and authenticates, when a password was given) if not connected. */
  public void connect() throws IOException {
    if (connected()) {
      return;
    }
    Socket s = new Socket();
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    try {
      s.connect(new InetSocketAddress(host, port), ms);
      s.setSoTimeout(ms);
      s.setTcpNoDelay(true);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 1 << 16);
    out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
    if (password != null) {
      RespValue r =
          send(
              List.of(
                  "AUTH".getBytes(StandardCharsets.UTF_8),
                  password.getBytes(StandardCharsets.UTF_8)));
      if (r instanceof RespValue.Error e) {
        close();
        throw new IOException("AUTH failed: " + e.text());
      }
    }
  }

  /** Sends one command and reads its reply; on an I/O failure the connection is dropped. */
  public RespValue send(List<byte[]> args) throws IOException {
    connect();
    try {
      out.write(('*' + Integer.toString(args.size()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] a : args) {
        out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(a);
        out.write('\r');
        out.write('\n');
      }
      out.flush();
      return read();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private RespValue read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the server closed the connection");
    }
    String line = line();
    switch (type) {
      case '+':
        return new RespValue.Simple(line);
      case '-':
        return new RespValue.Error(line);
      case ':':
        return new RespValue.Int(Long.parseLong(line));
      case '$':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return new RespValue.Bulk(null);
          }
          byte[] b = in.readNBytes(n);
          if (b.length != n || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("reply cut short");
          }
          return new RespValue.Bulk(b);
        }
      case '*':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return new RespValue.Array(null);
          }
          List<RespValue> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            items.add(read());
          }
          return new RespValue.Array(items);
        }
      default:
        throw new IOException("unexpected reply type '" + (char) type + "'");
    }
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("the server closed the connection");
      }
      b.append((char) c);
    }
    if (in.read() != '\n') {
      throw new IOException("malformed reply line");
    }
    return new String(b.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a broken socket: nothing more to do
      }
      socket = null;
    }
  }
}
