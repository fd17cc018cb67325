package io.kvdb.replication.internal;

import io.kvdb.core.spi.WriteAheadLog;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A slave link's back-pressure: waits while the slave's log holds more queued records than it may
 * (its disk is slow, or full: a stalled log retries its write every second and goes on by itself
 * once space returns). The link stops reading meanwhile, so the master's socket fills and what it
 * holds is one frame; the acknowledger keeps the link alive. Logged once per stall.
 */
final class LogRoom {
  private static final Logger log = LoggerFactory.getLogger(SlaveLink.class);

  private LogRoom() {}

  /** Returns once {@code wal} has room, or when {@code closed} says the link is closing. */
  static void await(WriteAheadLog wal, BooleanSupplier closed) throws IOException {
    boolean logged = false;
    while (!closed.getAsBoolean()) {
      try {
        wal.whenWritable().get(1, TimeUnit.SECONDS);
        if (logged) {
          log.info("replication link: the log has room again; applying records");
        }
        return;
      } catch (TimeoutException e) {
        if (!logged) {
          logged = true;
          String why = wal.stalled();
          log.warn(
              "replication link: waiting for room in the log before applying more records ({})",
              why == null ? "the disk is slow" : why);
        }
      } catch (ExecutionException e) {
        throw new IOException("the log failed: " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
