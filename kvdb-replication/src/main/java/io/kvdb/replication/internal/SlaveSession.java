package io.kvdb.replication.internal;

import io.kvdb.core.spi.HistoryUnavailableException;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.replication.SlaveInfo;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slave's connection, master side, on a thread of its own.
 *
 * <h2>States</h2>
 *
 * {@code handshake} → ({@code online} | {@code full_sync} → {@code online}) → closed. The slave's
 * HELLO names the history it follows and its last LSN L. If the master's history contains (h, L)
 * and still holds L+1 on, it answers CONTINUE and streams from L+1. Otherwise, if the slave is
 * merely behind (its history is the master's, compacted away) or empty, or asked for it, it answers
 * FULL_BEGIN: it first holds the log from S+1 (S = its last LSN) so compaction cannot race it,
 * walks the store while writes go on, sends FULL_END with E (its last LSN after the walk), and
 * streams from S+1. Anything else — the slave holds records the master lacks, or follows another
 * history — is divergence: REFUSE, so that a slave never wipes itself by accident.
 *
 * <h2>Streaming</h2>
 *
 * A cursor reads durable records from the log files (never the writer's memory); the log's durable
 * listener unparks this thread when a group becomes durable, and a heartbeat PING goes out when
 * there is nothing to send. A second thread reads the slave's ACKs. A slave that sends no ACK for
 * {@code timeout} is dropped; so is one whose socket stays full that long (its writes time out), so
 * a stalled slave costs neither memory nor the other slaves anything: its position is a log hold,
 * bounded on disk by the log's retention limit.
 */
final class SlaveSession implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SlaveSession.class);

  /** How long a new connection has to send its HELLO. */
  static final long HELLO_TIMEOUT_MILLIS = 10_000;

  private final MasterService master;
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final WriteAheadLog wal;
  private final StoreState state;
  private final long heartbeatNanos;
  private final long timeoutNanos;
  private final String address;
  private volatile String slaveId = "?";
  private volatile int announcedPort; // the slave's client port, from its HELLO (0: unknown)
  private volatile String refusal; // why it was refused, once it was
  private volatile String phase = "handshake";
  private volatile Thread sender;
  private final AtomicLong acked = new AtomicLong();

  /** Counted among the master's pending handshakes until its HELLO arrived or it ended. */
  final AtomicBoolean pendingHandshake = new AtomicBoolean(true);

  private volatile long durable;
  private volatile long lastAckNanos = System.nanoTime();
  private volatile boolean closed;
  private AtomicLong hold; // the LSN this slave needs next, shared with the master's log hold

  SlaveSession(
      MasterService master,
      Socket socket,
      WriteAheadLog wal,
      StoreState state,
      long heartbeatNanos,
      long timeoutNanos)
      throws IOException {
    this.master = master;
    this.socket = socket;
    this.wal = wal;
    this.state = state;
    this.heartbeatNanos = heartbeatNanos;
    this.timeoutNanos = timeoutNanos;
    this.address = String.valueOf(socket.getRemoteSocketAddress()).replaceFirst("^/", "");
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
  }

  SlaveInfo info() {
    return new SlaveInfo(
        slaveId,
        address,
        phase,
        acked.get(),
        durable,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAckNanos),
        announcedPort,
        refusal);
  }

  boolean online() {
    return phase.equals("online") && !closed;
  }

  long lagMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAckNanos);
  }

  long acked() {
    return acked.get();
  }

  long durable() {
    return durable;
  }

  String slaveId() {
    return slaveId;
  }

  void wake() {
    Thread t = sender;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    sender = Thread.currentThread();
    try {
      socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
      LogCursor cursor = handshake();
      if (cursor != null) {
        try (cursor) {
          stream(cursor);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.info("replica {} ({}) disconnected: {}", slaveId, address, e.toString());
      }
    } finally {
      close();
      master.ended(this);
    }
  }

  /** Reads HELLO and answers it; returns the cursor to stream from, or null when refused. */
  private LogCursor handshake() throws IOException {
    // Before HELLO is authenticated a peer may make us hold only a small frame, for a short while.
    socket.setSoTimeout(
        (int)
            Math.max(
                1, Math.min(HELLO_TIMEOUT_MILLIS, TimeUnit.NANOSECONDS.toMillis(timeoutNanos))));
    Frame hello;
    try {
      hello = Frame.read(in, Frame.MAX_HELLO);
    } finally {
      master.handshakeEnded(this);
    }
    socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
    if (hello.type() != Frame.Type.HELLO) {
      throw new IOException("expected HELLO, got " + hello.type());
    }
    ByteBuffer p = hello.payload();
    int version;
    String password;
    long theirHistory;
    long theirLsn;
    int flags;
    try {
      version = p.getInt();
      slaveId = Frame.getString(p);
      password = Frame.getString(p);
      theirHistory = p.getLong();
      theirLsn = p.getLong();
      flags = p.getInt();
      announcedPort = p.remaining() >= 4 ? p.getInt() : 0; // absent from older slaves
    } catch (RuntimeException e) {
      throw new IOException("malformed HELLO", e);
    }
    LogHistory ours = wal.history();
    LogCursor[] opened = {null};
    Handshake.Decision d =
        Handshake.decide(
            ours,
            wal.durableLsn(),
            new Handshake.Hello(
                version, master.passwordMatches(password), theirHistory, theirLsn, flags),
            from -> {
              try {
                hold = master.hold(slaveId, from); // first: compaction must keep it on
                opened[0] = wal.openCursor(from);
                return true;
              } catch (HistoryUnavailableException e) {
                return false; // compacted away, or a gap in this log
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    switch (d.kind()) {
      case CONTINUE -> {
        LogCursor cursor = opened[0];
        acked.set(d.fromLsn() - 1);
        new Frame.Builder(Frame.Type.CONTINUE).putHistory(ours).putLong(d.fromLsn()).writeTo(out);
        out.flush();
        master.counted("sync_partial_ok");
        log.info(
            "replica {} ({}) continues from LSN {} of history {}",
            slaveId,
            address,
            d.fromLsn(),
            LogHistory.hex(ours.id()));
        phase = "online";
        master.accepted(slaveId);
        return cursor;
      }
      case FULL -> {
        master.accepted(slaveId);
        if (theirLsn != 0) {
          master.counted("sync_partial_err"); // it asked to continue and could not
        }
        return fullSync(ours, d.reason());
      }
      case ROLLBACK -> {
        master.counted("sync_partial_err");
        log.warn(
            "replica {} ({}) holds records after LSN {}, where this master's history forked: told"
                + " to roll them back (it was pointed here explicitly)",
            slaveId,
            address,
            d.fromLsn());
        new Frame.Builder(Frame.Type.ROLLBACK).putLong(d.fromLsn()).writeTo(out);
        out.flush();
        return null;
      }
      default -> {
        if (d.code().equals("diverged")) {
          master.counted("sync_partial_err");
        }
        return refuse(d.code(), d.reason());
      }
    }
  }

  private LogCursor refuse(String code, String message) throws IOException {
    refusal = code + ": " + message;
    phase = "refused";
    master.refused(info());
    if (master.firstRefusal(slaveId, message)) {
      log.warn("replica {} ({}) refused: {}", slaveId, address, message);
    } else {
      log.debug("replica {} ({}) refused again: {}", slaveId, address, message);
    }
    new Frame.Builder(Frame.Type.REFUSE).putString(code).putString(message).writeTo(out);
    out.flush();
    return null;
  }

  /** Streams a snapshot of the store while writes go on, then continues from its start. */
  private LogCursor fullSync(LogHistory ours, String why) throws IOException {
    phase = "full_sync";
    long s = wal.lastLsn();
    hold = master.hold(slaveId, s + 1); // before the walk: compaction must keep S+1 on
    LogCursor cursor = wal.openCursor(s + 1);
    log.atInfo()
        .addKeyValue("slave", slaveId)
        .addKeyValue("client", address)
        .addKeyValue("lsn", s)
        .log("replica {} ({}): full sync from LSN {} because {}", slaveId, address, s, why);
    master.counted("sync_full");
    long start = System.nanoTime();
    new Frame.Builder(Frame.Type.FULL_BEGIN).putHistory(ours).putLong(s).writeTo(out);
    long[] count = {0};
    Frame.Builder[] batch = {newEntries()};
    try {
      state.snapshot(
          (key, value, expireAt) -> {
            Frame.Builder b = batch[0];
            b.putBytes(key).putBytes(value).putLong(expireAt);
            count[0]++;
            if (b.size() >= Frame.TARGET_SIZE) {
              flushEntries(b, count[0]);
              batch[0] = newEntries();
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    flushEntries(batch[0], count[0]);
    long e = wal.lastLsn();
    out.flush();
    awaitDurable(e);
    new Frame.Builder(Frame.Type.FULL_END).putLong(e).putLong(count[0]).writeTo(out);
    out.flush();
    // Not acked.set(s): sent is not applied. The slave's ACKs say when it has the data (WAIT).
    log.info(
        "replica {} ({}): snapshot of {} entries sent in {} ms (LSN {} to {}); streaming from {}",
        slaveId,
        address,
        count[0],
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        s,
        e,
        s + 1);
    phase = "online";
    return cursor;
  }

  /**
   * Waits until {@code e} is durable here. The walk read memory, which holds records the log has
   * not made durable yet; a slave whose sync ended at E before E was durable could keep a record
   * this master loses in a crash and then re-issues at the same LSN with other data (under {@code
   * always} a lost queued tail does not fork the history). So FULL_END waits, bounded by {@code
   * replication.timeout}: a disk that stalls longer drops the session and the slave retries.
   */
  private void awaitDurable(long e) throws IOException {
    try {
      wal.whenDurable(e).get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException x) {
      throw new IOException(
          "LSN " + e + " did not become durable within the replication timeout", x);
    } catch (ExecutionException x) {
      throw new IOException("the log failed during the full sync: " + x.getCause(), x);
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", x);
    }
  }

  private Frame.Builder newEntries() {
    return new Frame.Builder(Frame.Type.ENTRIES, Frame.TARGET_SIZE + 4096).putInt(0);
  }

  private long entriesBefore;

  private void flushEntries(Frame.Builder b, long total) {
    int n = (int) (total - entriesBefore);
    if (n == 0) {
      return;
    }
    entriesBefore = total;
    try {
      b.setInt(0, n).writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stream(LogCursor cursor) throws IOException {
    Thread reader = new Thread(this::readAcks, "kvdb-repl-acks[" + slaveId + "]");
    reader.setDaemon(true);
    reader.start();
    long lastSend = System.nanoTime();
    while (!closed) {
      Frame.Builder batch = null;
      int n = 0;
      WalRecord r;
      while ((r = cursor.next()) != null) {
        if (batch == null) {
          batch = new Frame.Builder(Frame.Type.RECORDS, Frame.TARGET_SIZE + 4096).putInt(0);
        }
        batch.putRecord(r);
        n++;
        if (batch.size() >= Frame.TARGET_SIZE) {
          batch.setInt(0, n).writeTo(out);
          batch = null;
          n = 0;
        }
      }
      if (batch != null) {
        batch.setInt(0, n).writeTo(out);
      }
      long now = System.nanoTime();
      boolean sent = n > 0 || batch != null;
      if (!sent && now - lastSend >= heartbeatNanos) {
        new Frame.Builder(Frame.Type.PING)
            .putLong(wal.lastLsn())
            .putLong(wal.durableLsn())
            .writeTo(out);
        sent = true;
      }
      if (sent) {
        out.flush();
        lastSend = now;
      }
      if (now - lastAckNanos > timeoutNanos) {
        throw new IOException(
            "no acknowledgement for " + TimeUnit.NANOSECONDS.toMillis(now - lastAckNanos) + " ms");
      }
      LockSupport.parkNanos(this, heartbeatNanos);
    }
  }

  private void readAcks() {
    try {
      while (!closed) {
        Frame f = Frame.read(in, Frame.MAX_ACK);
        if (f.type() == Frame.Type.ACK) {
          ByteBuffer p = f.payload();
          long applied = p.getLong();
          long dur = p.getLong();
          if (p.remaining() >= 4) {
            announcedPort = p.getInt(); // a trailing field older slaves do not send
          }
          acked.accumulateAndGet(applied, Math::max);
          durable = Math.max(durable, dur);
          if (hold != null) {
            hold.accumulateAndGet(applied + 1, Math::max);
          }
          lastAckNanos = System.nanoTime();
          master.acknowledged();
        }
      }
    } catch (IOException | RuntimeException e) {
      close();
    }
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    wake();
  }
}
