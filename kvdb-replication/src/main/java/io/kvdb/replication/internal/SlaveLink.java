package io.kvdb.replication.internal;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slave side of replication: one thread that connects to the master, forever.
 *
 * <h2>States</h2>
 *
 * {@code connecting} → {@code handshake} → ({@code connected} | {@code sync} → {@code connected} |
 * {@code refused}) → back to {@code connecting} after a delay when the link drops. The delay grows
 * exponentially from {@code backoffMin} to {@code backoffMax}, with jitter (half to all of it), and
 * resets after a link that reached {@code connected}. Each change of state is logged once, not once
 * per attempt.
 *
 * <h2>Handshake</h2>
 *
 * HELLO carries the history this replica's log follows and its last LSN. CONTINUE: adopt the
 * master's history (it contains ours) and apply records from there. FULL_BEGIN: build the master's
 * state in a directory beside ours (snapshot entries, then records up to the snapshot's end E),
 * fsync it, and only then switch to it ({@link LinkHost#installFullSync}); a sync cut at any point
 * before leaves our data untouched. REFUSE: the master's history does not contain ours and we hold
 * data (we never wipe ourselves unless told to); keep serving, report why, retry later.
 *
 * <h2>Applying</h2>
 *
 * Records are applied in LSN order through the store's replica path (logged with the master's LSNs,
 * applied under the shard locks). A second thread acknowledges: after records were applied, after
 * our log made them durable (a listener), and at every heartbeat.
 */
public final class SlaveLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SlaveLink.class);

  /** How long a master may take to answer HELLO before the peer is reported as not one. */
  static final long HELLO_REPLY_MILLIS = 5_000;

  /** Settings of a link. */
  public record Settings(
      String masterHost,
      int masterPort,
      String slaveId,
      String password,
      boolean resyncOverDivergence,
      long heartbeatMillis,
      long timeoutMillis,
      long backoffMinMillis,
      long backoffMaxMillis) {}

  private final LinkHost host;
  private final Settings settings;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Socket socket;
  private volatile String state = "connecting";
  private volatile String loggedState = "";
  private volatile String refusal;
  private volatile long appliedLsn;
  private volatile long masterLastLsn;
  private volatile long lastIoNanos = System.nanoTime();
  private volatile long consistentFrom;
  private final Acknowledger acks;
  private volatile long fullSyncs;
  private volatile long onlineSinceNanos = -1; // when this session reached "connected", or -1

  public SlaveLink(LinkHost host, Settings settings) {
    this.host = host;
    this.settings = settings;
    this.appliedLsn = host.current().lastLsn();
    this.acks =
        new Acknowledger(
            host::wal,
            () -> appliedLsn,
            host::announcePort,
            settings.heartbeatMillis(),
            this::closeSocket);
    this.thread = new Thread(this::run, "kvdb-repl-link");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Ends a wait between attempts: the next attempt starts now. */
  public void retryNow() {
    LockSupport.unpark(thread);
  }

  public Settings settings() {
    return settings;
  }

  /** connecting, handshake, sync, connected, refused, down (between attempts) or closed. */
  public String state() {
    return state;
  }

  public boolean linkUp() {
    String s = state;
    return s.equals("connected") || s.equals("sync");
  }

  public boolean syncInProgress() {
    return state.equals("sync");
  }

  /** Why the master refused us, while it does; null otherwise. */
  public String refusal() {
    return refusal;
  }

  public long appliedLsn() {
    return appliedLsn;
  }

  public long masterLastLsn() {
    return masterLastLsn;
  }

  /** The LSN from which this replica's data is a state the master had (0: from the start). */
  public long consistentFrom() {
    return consistentFrom;
  }

  public boolean consistent() {
    return appliedLsn >= consistentFrom;
  }

  public long secondsSinceLastIo() {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastIoNanos);
  }

  public long fullSyncs() {
    return fullSyncs;
  }

  /**
   * Sets the state; logs it only when the link's status changes (down, sync, connected, refused and
   * why), so a master that stays away costs one line, not one per attempt.
   */
  private void state(String s) {
    state = s;
    if (s.equals("connected") && onlineSinceNanos < 0) {
      onlineSinceNanos = System.nanoTime();
    }
    if (s.equals("connecting") || s.equals("handshake")) {
      return;
    }
    String status = s.equals("refused") ? s + " (" + refusal + ")" : s;
    if (!status.equals(loggedState)) {
      loggedState = status;
      log.info(
          "replication link to {}:{}: {}", settings.masterHost(), settings.masterPort(), status);
    }
  }

  private void run() {
    int attempt = 0;
    while (!closed) {
      onlineSinceNanos = -1;
      try (Socket s = new Socket()) {
        socket = s;
        state("connecting");
        s.connect(
            new InetSocketAddress(settings.masterHost(), settings.masterPort()),
            (int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis()));
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis()));
        session(s);
      } catch (ForeignPeerException | RollbackRefusedException e) {
        // Not a kvdb master at all (REPLICAOF host <client port> is what a Redis user types
        // first), or a rollback this node cannot make: say so in INFO and once in the log, and
        // keep retrying in case it gets fixed.
        refusal = e.getMessage();
        state("refused");
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          state = "down";
          if (!loggedState.equals("down")) {
            loggedState = "down";
            log.info(
                "replication link to {}:{}: down ({})",
                settings.masterHost(),
                settings.masterPort(),
                e.toString());
          }
        }
      } finally {
        socket = null;
        acks.stop();
      }
      if (closed) {
        break;
      }
      // A session ends by an exception whether or not it got anywhere: what resets the backoff is
      // whether it reached "connected". A link that was good reconnects at once (a blip costs one
      // round trip and a CONTINUE), unless it dropped within a second of going online, so a master
      // that accepts and drops at once cannot make us spin.
      long online = onlineSinceNanos;
      long delay;
      if (online >= 0) {
        attempt = 0;
        delay = System.nanoTime() - online >= TimeUnit.SECONDS.toNanos(1) ? 0 : backoff(0);
      } else {
        delay = backoff(attempt);
        attempt = Math.min(attempt + 1, 30);
      }
      if (delay > 0) {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(delay));
      }
    }
  }

  /** Capped exponential backoff with jitter: half to all of min x 2^attempt, at most max. */
  long backoff(int attempt) {
    long base = settings.backoffMinMillis() << Math.min(attempt, 20);
    long capped = Math.min(settings.backoffMaxMillis(), Math.max(1, base));
    return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
  }

  /** One connection, until it ends (by an exception, or a refusal). */
  private void session(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
    DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
    state("handshake");
    WriteAheadLog wal = host.wal();
    long last = host.current().lastLsn();
    appliedLsn = last;
    new Frame.Builder(Frame.Type.HELLO)
        .putInt(Frame.VERSION)
        .putString(settings.slaveId())
        .putString(settings.password() == null ? "" : settings.password())
        .putLong(wal.history().id())
        .putLong(last)
        .putInt(
            (host.resyncOverDivergence() ? Frame.FLAG_RESYNC_OVER_DIVERGENCE : 0)
                | (host.rollbackAllowed() ? Frame.FLAG_ROLLBACK_ALLOWED : 0))
        .putInt(host.announcePort()) // a trailing field: a master that does not know it ignores it
        .writeTo(out);
    out.flush();
    // A kvdb master answers HELLO at once; a Redis-protocol server (a client port given by
    // mistake) waits for a line that never comes. Say so rather than sit in the handshake.
    int timeout = s.getSoTimeout();
    s.setSoTimeout((int) Math.min(timeout, HELLO_REPLY_MILLIS));
    Frame reply;
    try {
      reply = Frame.read(in, Frame.MAX_REPLY); // a foreign peer's bytes are not a length
    } catch (SocketTimeoutException e) {
      throw new ForeignPeerException(
          "no answer to HELLO within "
              + HELLO_REPLY_MILLIS / 1000
              + " s: is "
              + settings.masterHost()
              + ":"
              + settings.masterPort()
              + " a kvdb replication port (the master's replication.master_port), not a client"
              + " port?");
    }
    s.setSoTimeout(timeout);
    lastIoNanos = System.nanoTime();
    ByteBuffer p = reply.payload();
    try {
      switch (reply.type()) {
        case CONTINUE -> {
          LogHistory h = Frame.getHistory(p);
          long from = p.getLong();
          if (from != last + 1) {
            throw new IOException("master continues from LSN " + from + ", expected " + (last + 1));
          }
          wal.adoptHistory(h);
          refusal = null;
          host.handshakeDone();
          acks.start(out);
          state("connected");
        }
        case FULL_BEGIN -> {
          LogHistory h = Frame.getHistory(p);
          long snapshotLsn = p.getLong();
          refusal = null;
          host.handshakeDone();
          // Until the new data is ours we hold none of the master's history: acknowledge nothing
          // (our old LSN may even be higher, after a resync over divergence) or WAIT would count
          // us.
          appliedLsn = 0;
          acks.start(out);
          state("sync");
          fullSync(in, h, snapshotLsn);
          state("connected");
        }
        case ROLLBACK -> {
          long forkLsn = p.getLong();
          if (forkLsn < 0 || forkLsn >= last) {
            throw new IOException("master asks to roll back to LSN " + forkLsn + ", at " + last);
          }
          state("rollback");
          host.rollBackTo(forkLsn); // then the next HELLO continues from the fork
          appliedLsn = host.current().lastLsn();
          return;
        }
        case REFUSE -> {
          String code = Frame.getString(p);
          refusal = code + ": " + Frame.getString(p);
          state("refused");
          return;
        }
        default -> throw new IOException("unexpected " + reply.type() + " in the handshake");
      }
    } catch (RuntimeException e) {
      throw new IOException("malformed " + reply.type() + ": " + e, e);
    }
    stream(in);
  }

  private Frame read(DataInputStream in) throws IOException {
    Frame f = Frame.read(in);
    lastIoNanos = System.nanoTime();
    return f;
  }

  /** Builds the master's state beside ours and switches to it ({@link FullSyncReceiver}). */
  private void fullSync(DataInputStream in, LogHistory history, long snapshotLsn)
      throws IOException {
    long start = System.nanoTime();
    FullSyncReceiver.Received r =
        new FullSyncReceiver(host, this::read, settings.timeoutMillis() * 10)
            .receive(in, history, snapshotLsn);
    appliedLsn = host.current().lastLsn();
    consistentFrom = r.endLsn();
    fullSyncs++;
    log.info(
        "full sync done in {} ms: {} entries at LSN {}, consistent from LSN {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        r.entries(),
        snapshotLsn,
        r.endLsn());
  }

  private void stream(DataInputStream in) throws IOException {
    while (!closed) {
      Frame f = read(in);
      ByteBuffer p = f.payload();
      try {
        switch (f.type()) {
          case RECORDS -> {
            LogRoom.await(host.wal(), () -> closed);
            applyRecords(host.current(), p, true);
          }
          case PING -> {
            masterLastLsn = p.getLong();
            acks.wake();
          }
          default -> throw new IOException("unexpected " + f.type() + " while streaming");
        }
      } catch (RuntimeException e) {
        throw new IOException("cannot apply " + f.type() + ": " + e, e);
      }
    }
  }

  private void applyRecords(KvStore store, ByteBuffer p, boolean live) throws IOException {
    int n = p.getInt();
    for (int i = 0; i < n; i++) {
      WalRecord r = Frame.getRecord(p);
      store.applyReplicated(r); // checks the LSN is the next one
      if (live) {
        appliedLsn = r.lsn();
      }
      masterLastLsn = Math.max(masterLastLsn, r.lsn());
    }
    acks.wake();
  }

  /** A failed ACK ends the session: the reader notices the closed socket and reconnects. */
  private void closeSocket() {
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Stops the link and waits for its thread. */
  @Override
  public void close() {
    closed = true;
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    LockSupport.unpark(thread);
    acks.stop();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    state = "closed";
  }
}
