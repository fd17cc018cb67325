package io.kvdb.replication.internal;

import io.kvdb.core.spi.WriteAheadLog;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The slave's ACKs, on a thread of their own per session: (applied LSN, durable LSN, announced
 * port) whenever either LSN moves — woken by the link after each applied frame and by the log's
 * durable listener — and at every heartbeat. The durable LSN never exceeds the applied one. A
 * failed send ends the session ({@code onFailure} closes the socket; the reader notices). The log
 * is looked up on every turn: a full sync swaps it.
 */
final class Acknowledger {
  private final Supplier<WriteAheadLog> wal;
  private final LongSupplier applied;
  private final IntSupplier announcedPort;
  private final long heartbeatNanos;
  private final Runnable onFailure;
  private volatile Thread thread;

  Acknowledger(
      Supplier<WriteAheadLog> wal,
      LongSupplier applied,
      IntSupplier announcedPort,
      long heartbeatMillis,
      Runnable onFailure) {
    this.wal = wal;
    this.applied = applied;
    this.announcedPort = announcedPort;
    this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
    this.onFailure = onFailure;
  }

  /** Starts acknowledging on {@code out} (a new session); a previous one stops. */
  void start(DataOutputStream out) {
    Thread t = new Thread(() -> run(out), "kvdb-repl-ack");
    t.setDaemon(true);
    Thread old = thread;
    thread = t;
    if (old != null) {
      LockSupport.unpark(old);
    }
    t.start();
  }

  /** Something changed: send now. */
  void wake() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** Stops the current session's thread (it ends at its next turn). */
  void stop() {
    Thread t = thread;
    thread = null;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  private void run(DataOutputStream out) {
    Thread me = Thread.currentThread();
    WriteAheadLog.DurableListener wakeMe = lsn -> LockSupport.unpark(me);
    WriteAheadLog watched = null;
    long sentApplied = -1;
    long sentDurable = -1;
    long lastSent = 0;
    try {
      while (thread == me) {
        WriteAheadLog log = wal.get();
        if (log != watched) {
          if (watched != null) {
            watched.removeListener(wakeMe);
          }
          log.addListener(wakeMe);
          watched = log;
        }
        long a = applied.getAsLong();
        long durable = Math.min(a, log.durableLsn());
        long now = System.nanoTime();
        if (a != sentApplied || durable != sentDurable || now - lastSent >= heartbeatNanos) {
          new Frame.Builder(Frame.Type.ACK)
              .putLong(a)
              .putLong(durable)
              .putInt(announcedPort.getAsInt()) // trailing: a port learned after HELLO gets there
              .writeTo(out);
          out.flush();
          sentApplied = a;
          sentDurable = durable;
          lastSent = now;
        }
        LockSupport.parkNanos(this, heartbeatNanos);
      }
    } catch (IOException | RuntimeException e) {
      onFailure.run();
    } finally {
      if (watched != null) {
        watched.removeListener(wakeMe);
      }
    }
  }
}
