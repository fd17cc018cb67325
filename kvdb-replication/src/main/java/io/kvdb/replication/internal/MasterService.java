package io.kvdb.replication.internal;

import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.replication.SlaveInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master side of replication: accepts slaves on a port of its own and runs a {@link
 * SlaveSession} per slave. It wakes every session when the log reports a durable group (a listener,
 * no polling), keeps one log hold per slave id across reconnects (so a slave that comes back within
 * the log's retention limit continues instead of taking a full sync), and answers {@link #waitFor}
 * (Redis' WAIT) from the slaves' acknowledgements.
 *
 * <h2>Bounds</h2>
 *
 * At most {@link #MAX_HANDSHAKES} connections may be waiting to be authenticated at once (each may
 * hold at most {@link Frame#MAX_HELLO} bytes for {@link SlaveSession#HELLO_TIMEOUT_MILLIS}), and at
 * most {@link #MAX_SESSIONS} connections in all; a connection past either is closed at once, with a
 * rate-limited warning. A slave's memory on the master is one frame.
 *
 * <p>Thread-safe. One accept thread, two threads per connected slave.
 */
public final class MasterService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MasterService.class);

  /** Connections that have not sent an authenticated HELLO yet, at most. */
  static final int MAX_HANDSHAKES = 16;

  /** Connections on the replication port, at most (slaves and handshakes). */
  static final int MAX_SESSIONS = 1024;

  /** The last time a refused connection was logged (nanoTime), for rate-limiting. */
  private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - (1L << 40));

  private final AtomicInteger handshakes = new AtomicInteger();

  private volatile WriteAheadLog wal;
  private volatile StoreState state;
  private final byte[] passwordHash;
  private final boolean protectedMode;
  private final long heartbeatNanos;
  private final long timeoutNanos;
  private final ServerSocket server;
  private final Thread acceptor;
  private final Set<SlaveSession> sessions = new CopyOnWriteArraySet<>();
  private final Map<String, AtomicLong> holds = new ConcurrentHashMap<>();
  private final List<AutoCloseable> holdHandles = new ArrayList<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Set<Waiter> waiters = new CopyOnWriteArraySet<>();
  private final ScheduledExecutorService timer;
  private final WriteAheadLog.DurableListener listener;
  private volatile boolean closed;

  private record Waiter(long lsn, int slaves, boolean durable, CompletableFuture<Integer> future) {}

  public MasterService(
      WriteAheadLog wal,
      StoreState state,
      String host,
      int port,
      String password,
      boolean protectedMode,
      long heartbeatMillis,
      long timeoutMillis)
      throws IOException {
    this.wal = wal;
    this.state = state;
    this.passwordHash = password == null ? null : hash(password);
    this.protectedMode = protectedMode && password == null;
    this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 64);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kvdb-repl-wait");
              t.setDaemon(true);
              return t;
            });
    this.listener = lsn -> sessions.forEach(SlaveSession::wake);
    wal.addListener(listener);
    this.acceptor = new Thread(this::accept, "kvdb-repl-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("replication: accepting slaves on {}:{}", host, port());
  }

  /**
   * Serves from another store and its log from now on (a slave that serves a cascade took a full
   * sync): every session ends (its slave reconnects, and continues or takes a full sync of its
   * own), and the log holds move to the new log.
   */
  public synchronized void rebind(WriteAheadLog newWal, StoreState newState) {
    wal.removeListener(listener);
    for (SlaveSession s : sessions) {
      s.close();
    }
    for (AutoCloseable h : holdHandles) {
      try {
        h.close();
      } catch (Exception ignored) {
        // releasing anyway
      }
    }
    holdHandles.clear();
    holds.clear();
    this.wal = newWal;
    this.state = newState;
    newWal.addListener(listener);
    log.info("replication: serving slaves from the new data after a full sync");
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = server.accept();
        if (refusedByProtectedMode(s)) {
          log.warn(
              "replication: refused {} (protected mode: bound to a public address without a password)",
              s.getRemoteSocketAddress());
          s.close();
          continue;
        }
        String over =
            sessions.size() >= MAX_SESSIONS
                ? MAX_SESSIONS + " connections"
                : handshakes.get() >= MAX_HANDSHAKES
                    ? MAX_HANDSHAKES + " connections waiting to authenticate"
                    : null;
        if (over != null) {
          counted("rejected_connections");
          long now = System.nanoTime();
          long last = lastRefusalLog.get();
          if (now - last > TimeUnit.SECONDS.toNanos(10)
              && lastRefusalLog.compareAndSet(last, now)) {
            log.warn(
                "replication: refused {}: already {} (logged at most every 10 s)",
                s.getRemoteSocketAddress(),
                over);
          }
          s.close();
          continue;
        }
        s.setTcpNoDelay(true);
        SlaveSession session = new SlaveSession(this, s, wal, state, heartbeatNanos, timeoutNanos);
        handshakes.incrementAndGet();
        sessions.add(session);
        Thread t = new Thread(session, "kvdb-repl-slave[" + s.getRemoteSocketAddress() + "]");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          log.warn("replication: accepting a slave failed: {}", e.toString());
        }
      }
    }
  }

  /**
   * Redis' protected mode, as on the client port: with no password and a non-loopback bind, only
   * loopback peers may connect.
   */
  private boolean refusedByProtectedMode(Socket s) {
    return refuses(protectedMode, server.getInetAddress(), s.getInetAddress());
  }

  /** The protected-mode rule itself: refused when on, bound publicly, and the peer is not local. */
  static boolean refuses(boolean protectedWithoutPassword, InetAddress bound, InetAddress peer) {
    return protectedWithoutPassword && !bound.isLoopbackAddress() && !peer.isLoopbackAddress();
  }

  boolean passwordMatches(String given) {
    return passwordHash == null || MessageDigest.isEqual(passwordHash, hash(given));
  }

  private static byte[] hash(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The log hold of a slave id, created on its first connection and kept across reconnects: the log
   * keeps its history from there on (up to the log's retention limit).
   */
  synchronized AtomicLong hold(String slaveId, long from) {
    AtomicLong h = holds.get(slaveId);
    if (h == null) {
      h = new AtomicLong(from);
      holds.put(slaveId, h);
      AtomicLong held = h;
      holdHandles.add(wal.retainHistory(held::get));
    } else {
      h.set(from);
    }
    return h;
  }

  private final Map<String, String> refusals = new ConcurrentHashMap<>();

  /** Whether this is the first time {@code slaveId} is refused for this reason (log it once). */
  boolean firstRefusal(String slaveId, String why) {
    return !why.equals(refusals.put(slaveId, why));
  }

  void counted(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  /** sync_full, sync_partial_ok, sync_partial_err as Redis counts them. */
  public long counter(String name) {
    LongAdder a = counters.get(name);
    return a == null ? 0 : a.sum();
  }

  void ended(SlaveSession session) {
    sessions.remove(session);
    handshakeEnded(session);
  }

  /** A session's HELLO arrived (or never will): it no longer counts as a pending handshake. */
  void handshakeEnded(SlaveSession session) {
    if (session.pendingHandshake.compareAndSet(true, false)) {
      handshakes.decrementAndGet();
    }
  }

  /** Called by a session when an acknowledgement arrived. */
  void acknowledged() {
    for (Waiter w : waiters) {
      if (count(w.lsn, w.durable) >= w.slaves && waiters.remove(w)) {
        w.future.complete(count(w.lsn, w.durable));
      }
    }
  }

  private int count(long lsn, boolean durable) {
    int n = 0;
    for (SlaveSession s : sessions) {
      if ((durable ? s.durable() : s.acked()) >= lsn) {
        n++;
      }
    }
    return n;
  }

  /**
   * Completes with the number of slaves that acknowledged {@code lsn} (applied, or durable in their
   * own log when {@code durable}) once {@code slaves} of them did, or when {@code timeoutMillis}
   * passed (0 = no timeout), whichever comes first.
   */
  public CompletableFuture<Integer> waitFor(
      long lsn, int slaves, boolean durable, long timeoutMillis) {
    int now = count(lsn, durable);
    if (now >= slaves) {
      return CompletableFuture.completedFuture(now);
    }
    Waiter w = new Waiter(lsn, slaves, durable, new CompletableFuture<>());
    waiters.add(w);
    // Completed by anyone (a cancel when the client went away, too): it waits no more.
    w.future.whenComplete((v, e) -> waiters.remove(w));
    acknowledged(); // one may have arrived meanwhile
    if (timeoutMillis > 0) {
      timer.schedule(
          () -> {
            if (waiters.remove(w)) {
              w.future.complete(count(lsn, durable));
            }
          },
          timeoutMillis,
          TimeUnit.MILLISECONDS);
    }
    return w.future;
  }

  /** Slaves online that acknowledged within {@code maxLagMillis}. */
  public int goodSlaves(long maxLagMillis) {
    int n = 0;
    for (SlaveSession s : sessions) {
      if (s.online() && s.lagMillis() <= maxLagMillis) {
        n++;
      }
    }
    return n;
  }

  /**
   * Every slave: those connected, then those refused recently (state {@code refused}, with the
   * reason) that have not connected since — a refused slave retries with backoff, so it stays
   * visible to the operator while it does, and is forgotten {@link #REFUSED_KEPT_NANOS} after its
   * last attempt.
   */
  public List<SlaveInfo> slaves() {
    List<SlaveInfo> out = new ArrayList<>();
    Set<String> connected = new HashSet<>();
    for (SlaveSession s : sessions) {
      SlaveInfo i = s.info();
      if (!i.state().equals("refused")) {
        out.add(i);
        connected.add(i.id());
      }
    }
    long now = System.nanoTime();
    refusedSlaves.entrySet().removeIf(e -> now - e.getValue().atNanos() > REFUSED_KEPT_NANOS);
    for (var e : refusedSlaves.entrySet()) {
      if (!connected.contains(e.getKey())) {
        out.add(e.getValue().info());
      }
    }
    return out;
  }

  /** How long a refused slave stays in {@link #slaves()} after its last attempt. */
  static final long REFUSED_KEPT_NANOS = TimeUnit.MINUTES.toNanos(5);

  private record Refused(SlaveInfo info, long atNanos) {}

  private final Map<String, Refused> refusedSlaves = new ConcurrentHashMap<>();

  void refused(SlaveInfo info) {
    refusedSlaves.put(info.id(), new Refused(info, System.nanoTime()));
  }

  void accepted(String slaveId) {
    refusedSlaves.remove(slaveId);
    refusals.remove(slaveId); // a later refusal is news again
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    wal.removeListener(listener);
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (SlaveSession s : sessions) {
      s.close();
    }
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      waiters.remove(w);
      w.future.complete(count(w.lsn, w.durable));
    }
    for (AutoCloseable h : holdHandles) {
      try {
        h.close();
      } catch (Exception ignored) {
        // releasing anyway
      }
    }
    timer.shutdownNow();
  }
}
