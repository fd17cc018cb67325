package io.kvdb.core.internal;

import io.kvdb.core.spi.BatchCodec;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WriteAheadLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active expiry: reclaims the memory of keys whose expiry passed, so that keys nobody reads again
 * do not stay in memory. Readers never depend on it (they compare expiry times themselves).
 *
 * <h2>Work per tick</h2>
 *
 * Every {@link #INTERVAL_MILLIS} one thread walks the shards round-robin, each from where it
 * stopped, {@link #CHUNK_SLOTS} slots at a time under the shard's write lock; it stops when its
 * time budget ({@link #BUDGET_MILLIS}, a quarter of the interval, as Redis' slow cycle) is spent.
 * When it ran out of budget with expired keys still coming, the next tick starts after one budget
 * instead of a full interval (half a core at most). A shard with no key with a TTL, or whose
 * earliest expiry is still ahead, costs nothing; a full pass over a shard makes that bound exact
 * again. So a million keys expiring in the same second are freed in a few seconds while other
 * clients wait at most for one chunk of one shard.
 *
 * <h2>Logging</h2>
 *
 * The keys removed from one chunk are logged as one record (a DELETE, or a BATCH of them) before
 * they leave memory, under the same lock, like any write: recovery and replicas replay the removal
 * instead of consulting their own clocks. While the log is over its pending-bytes limit a tick does
 * nothing; if the log has failed, nothing is removed. A store that does not remove expired keys (a
 * replica) never runs a tick. Thread-safe.
 */
final class Expirer implements AutoCloseable {
  static final long INTERVAL_MILLIS = 100;
  static final long BUDGET_MILLIS = 25;
  static final int CHUNK_SLOTS = 1024;

  private static final Logger log = LoggerFactory.getLogger(Expirer.class);
  private static final byte[] EMPTY = new byte[0];

  private final Shards shards;
  private final WriteAheadLog wal;
  private final Clock clock;
  private final BooleanSupplier enabled;
  private final int[] cursor;
  private final int[] passEpoch;
  private final LongAdder expired = new LongAdder();
  private int nextShard;
  private volatile boolean started;
  private volatile boolean closed;
  private ScheduledExecutorService thread;

  Expirer(Shards shards, WriteAheadLog wal, Clock clock, BooleanSupplier enabled) {
    this.shards = shards;
    this.wal = wal;
    this.clock = clock;
    this.enabled = enabled;
    this.cursor = new int[shards.count()];
    this.passEpoch = new int[shards.count()];
  }

  /** Keys removed because they expired, by this expirer or by a write that found them expired. */
  long expiredKeys() {
    return expired.sum();
  }

  void countReclaimed() {
    expired.increment();
  }

  void resetCount() {
    expired.reset();
  }

  /** Starts the thread the first time a key gets a TTL; cheap after that. */
  void ensureStarted() {
    if (started || closed) {
      return;
    }
    synchronized (this) {
      if (started || closed) {
        return;
      }
      thread =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "kvdb-expirer");
                t.setDaemon(true);
                return t;
              });
      started = true;
      thread.schedule(this::tick, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    long next = INTERVAL_MILLIS;
    try {
      if (enabled.getAsBoolean() && !cycle(TimeUnit.MILLISECONDS.toNanos(BUDGET_MILLIS))) {
        next = BUDGET_MILLIS; // out of budget with work left: come back sooner
      }
    } catch (RuntimeException e) {
      log.warn("expiry cycle failed, will retry: {}", e.toString());
    }
    synchronized (this) {
      if (!closed) {
        thread.schedule(this::tick, next, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Removes every expired key now, with no budget: after recovery, before the store serves. */
  void purgeAll() {
    if (enabled.getAsBoolean() && shards.volatileCount() > 0) {
      cycle(Long.MAX_VALUE);
    }
  }

  /**
   * Runs chunks until every shard is clean or {@code budgetNanos} is spent.
   *
   * @return true when it finished (nothing left to look at now), false when the budget ran out
   */
  boolean cycle(long budgetNanos) {
    if (wal != null && !wal.whenWritable().isDone()) {
      return true; // the log is full: reclaiming can wait, readers already hide these keys
    }
    long deadline = System.nanoTime() + Math.min(budgetNanos, Long.MAX_VALUE / 4);
    int clean = 0; // shards in a row with nothing to do
    while (clean < shards.count()) {
      int i = nextShard;
      if (sweepChunk(i)) {
        clean = 0;
      } else {
        clean++;
      }
      if (cursor[i] == 0) {
        nextShard = (i + 1) % shards.count();
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
    }
    return true;
  }

  /** One chunk of shard {@code i}; true when it looked at slots (there may be more to do). */
  private boolean sweepChunk(int i) {
    Shards.Shard s = shards.get(i);
    long now = clock.millis();
    if (cursor[i] == 0 && (s.map.volatileCount() == 0 || s.map.earliestExpiry() >= now)) {
      return false;
    }
    List<byte[]> keys = new ArrayList<>();
    long stamp = s.lock.writeLock();
    try {
      if (!enabled.getAsBoolean()) {
        return false; // turned off meanwhile (the store became a replica)
      }
      if (cursor[i] != 0 && passEpoch[i] != s.map.epoch()) {
        cursor[i] = 0; // the table was rebuilt mid-pass: entries moved, start the pass again
      }
      if (cursor[i] == 0) {
        passEpoch[i] = s.map.epoch();
      }
      int next = s.map.sweep(cursor[i], CHUNK_SLOTS, now, keys::add);
      if (!keys.isEmpty() && !remove(s.map, keys)) {
        return false; // the log refused: leave them, readers hide them
      }
      cursor[i] = Math.max(next, 0);
      return true;
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /**
   * Logs the removal of {@code keys} as one record, then removes them; the caller holds the lock.
   */
  private boolean remove(ShardMap map, List<byte[]> keys) {
    if (wal != null) {
      try {
        if (keys.size() == 1) {
          wal.append(RecordType.DELETE, keys.get(0), EMPTY, 0);
        } else {
          List<Mutation> deletes = new ArrayList<>(keys.size());
          for (byte[] k : keys) {
            deletes.add(Mutation.delete(k));
          }
          wal.append(RecordType.BATCH, EMPTY, BatchCodec.encode(deletes), 0);
        }
      } catch (RuntimeException e) { // the log failed, is closed, or follows a master now
        return false;
      }
    }
    for (byte[] k : keys) {
      map.remove(k, KeyHash.hash(k));
    }
    expired.add(keys.size());
    return true;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (thread != null) {
        thread.shutdownNow();
      }
    }
  }
}
