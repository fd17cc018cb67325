package io.kvdb.core.internal;

import io.kvdb.core.EntryFunction;
import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WriteAheadLog;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Single-key writes: validate, then log, then apply, under the key's shard write lock (see {@link
 * ShardedKvStore}'s note on the write path), and what a {@link Decision} means for a key that may
 * have expired ({@link #resolve}, shared with {@link AtomicView}).
 *
 * <p>An expired entry is absent to every decision. A write that finds one reclaims it: it either
 * replaces it (a PUT) or removes it with a logged DELETE, unless the store does not remove expired
 * keys itself (a replica: its master's DELETE will come through the log). Arguments arrive checked
 * and, with a log, copied. Thread-safe.
 */
final class KeyWrites {
  private static final byte[] EMPTY = new byte[0];

  private final Shards shards;
  private final Limits limits;
  private final WriteAheadLog wal;
  private final Clock clock;
  private final BooleanSupplier reclaim;
  private final Supplier<CompletableFuture<Void>> barrier;
  private final Expirer expirer;

  KeyWrites(
      Shards shards,
      Limits limits,
      WriteAheadLog wal,
      Clock clock,
      BooleanSupplier reclaim,
      Supplier<CompletableFuture<Void>> barrier,
      Expirer expirer) {
    this.shards = shards;
    this.limits = limits;
    this.wal = wal;
    this.clock = clock;
    this.reclaim = reclaim;
    this.barrier = barrier;
    this.expirer = expirer;
  }

  /** Puts; returns the durability future, or null when there is no log (durable at once). */
  CompletableFuture<Void> put(byte[] key, byte[] value, long expireAt) {
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    if (expireAt != 0) {
      expirer.ensureStarted();
    }
    long stamp = s.lock.writeLock();
    try {
      if (expireAt != 0 && EntryLayout.expired(expireAt, clock.millis())) {
        // Already past: the key is removed instead (if it is there at all).
        return s.map.find(key, h) == null ? null : logAndApply(Mutation.delete(key));
      }
      if (s.map.volatileCount() > 0) {
        countIfExpired(
            s.map.find(key, h)); // a SET over an expired key: it expired, as Redis counts
      }
      limits.checkMemory(s.map, key, h, value.length, expireAt != 0); // a refused write never logs
      CompletableFuture<Void> durable =
          wal == null ? null : wal.append(RecordType.PUT, key, value, expireAt);
      s.map.putValue(key, h, value, expireAt);
      return durable;
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  CompletableFuture<Boolean> remove(byte[] key) {
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    long stamp = s.lock.writeLock();
    try {
      byte[] e = s.map.find(key, h);
      if (e == null || (EntryLayout.expired(e, clock.millis()) && !reclaim.getAsBoolean())) {
        return barrier.get().thenApply(v -> Boolean.FALSE);
      }
      boolean live = !EntryLayout.expired(e, clock.millis());
      CompletableFuture<Void> durable = log(RecordType.DELETE, key, EMPTY, 0);
      s.map.remove(key, h);
      if (!live) {
        expirer.countReclaimed();
      }
      return durable.thenApply(v -> live);
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  <R> CompletableFuture<R> compute(byte[] key, EntryFunction<R> function) {
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    long stamp = s.lock.writeLock();
    try {
      long now = clock.millis();
      byte[] e = s.map.find(key, h);
      boolean live = e != null && !EntryLayout.expired(e, now);
      Decision<R> d =
          function.apply(live ? EntryLayout.valueOf(e) : null, live ? EntryLayout.expireAt(e) : 0);
      if (d == null) {
        throw new NullPointerException("function returned null");
      }
      Mutation m = resolve(key, e, now, d, reclaim.getAsBoolean(), wal != null);
      R result = d.result();
      if (m == null) {
        return barrier.get().thenApply(v -> result);
      }
      checkPut(m, s.map, h);
      CompletableFuture<Void> durable = logAndApply(m);
      if (e != null && !live) {
        expirer.countReclaimed(); // replaced or removed: it expired
      }
      return durable.thenApply(v -> result);
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /** Checks a PUT against the limits before it is logged; the caller holds the lock. */
  void checkPut(Mutation m, ShardMap map, int hash) {
    if (m.type() == RecordType.PUT) {
      limits.checkValue(m.value());
      limits.checkMemory(map, m.key(), hash, m.value().length, m.expireAtMillis() != 0);
      if (m.expireAtMillis() != 0) {
        expirer.ensureStarted();
      }
    } else if (m.type() == RecordType.EXPIRE && m.expireAtMillis() != 0) {
      expirer.ensureStarted();
    }
  }

  private void countIfExpired(byte[] entry) {
    if (entry != null && EntryLayout.expired(entry, clock.millis())) {
      expirer.countReclaimed();
    }
  }

  /**
   * A reader met {@code key} expired: remove it now, with a logged DELETE, so that its memory does
   * not wait for the expirer (Redis deletes on access too). Skipped when this store does not remove
   * expired keys, or while the log is over its pending-bytes limit (the expirer gets it later); the
   * reader has its answer either way.
   */
  void reclaim(byte[] key) {
    if (!reclaim.getAsBoolean() || (wal != null && !wal.whenWritable().isDone())) {
      return;
    }
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    long stamp = s.lock.writeLock();
    try {
      byte[] e = s.map.find(key, h);
      if (e == null || !EntryLayout.expired(e, clock.millis())) {
        return; // gone or rewritten meanwhile
      }
      try {
        log(RecordType.DELETE, key, EMPTY, 0);
      } catch (RuntimeException failedClosedOrReplica) {
        return; // leave it: readers hide it (a failed log, or a replica's, takes no such record)
      }
      s.map.remove(key, h);
      expirer.countReclaimed();
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  private CompletableFuture<Void> logAndApply(Mutation m) {
    CompletableFuture<Void> durable = log(m.type(), m.key(), m.value(), m.expireAtMillis());
    shards.apply(m);
    return durable;
  }

  private CompletableFuture<Void> log(RecordType type, byte[] key, byte[] value, long expireAt) {
    if (wal == null) {
      return CompletableFuture.completedFuture(null);
    }
    return wal.append(type, key, value, expireAt);
  }

  /**
   * What {@code d} means for {@code key}, whose entry is {@code e} (null when absent, possibly
   * expired at {@code now}): the one mutation to log and apply, or null when nothing changes.
   *
   * @param reclaim whether an expired entry the decision leaves alone is removed (and logged)
   * @param copyValue whether a PUT's value is copied (with a log, which encodes it later)
   */
  static Mutation resolve(
      byte[] key, byte[] e, long now, Decision<?> d, boolean reclaim, boolean copyValue) {
    boolean live = e != null && !EntryLayout.expired(e, now);
    Mutation reclaimed = e != null && !live && reclaim ? Mutation.delete(key) : null;
    switch (d.action()) {
      case KEEP -> {
        return reclaimed;
      }
      case DELETE -> {
        return live ? Mutation.delete(key) : reclaimed;
      }
      case PUT -> {
        long at =
            d.expireAtMillis() == Decision.KEEP_TTL
                ? (live ? EntryLayout.expireAt(e) : 0)
                : d.expireAtMillis();
        if (EntryLayout.expired(at, now)) {
          return e == null ? null : Mutation.delete(key);
        }
        byte[] value = copyValue ? d.newValue().clone() : d.newValue();
        return Mutation.put(key, value, at);
      }
      case EXPIRE -> {
        if (!live) {
          return reclaimed;
        }
        if (EntryLayout.expired(d.expireAtMillis(), now)) {
          return Mutation.delete(key);
        }
        return d.expireAtMillis() == EntryLayout.expireAt(e)
            ? null
            : Mutation.expire(key, d.expireAtMillis());
      }
      default -> throw new IllegalStateException("unknown action " + d.action());
    }
  }
}
