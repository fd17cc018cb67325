package io.kvdb.core.internal;

import io.kvdb.core.spi.StoreState;
import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * The fuzzy snapshot walk ({@link StoreState#snapshot}): shard by shard while writes go on.
 *
 * <p>Each shard's read lock is taken once, to copy its slot array: that also waits out any write
 * whose LSN was assigned but not yet applied, so every write with an LSN up to the one the caller
 * read before the walk is visible. Entries are then read outside the lock; because a same-length
 * overwrite changes a value in place, each value is read under a validated optimistic stamp (or the
 * read lock when a writer raced it). Thread-safe; any number of walks may run at once.
 */
final class SnapshotWalk {
  private final Shards shards;
  private final Clock clock;
  private final BooleanSupplier skipExpired;

  SnapshotWalk(Shards shards, Clock clock, BooleanSupplier skipExpired) {
    this.shards = shards;
    this.clock = clock;
    this.skipExpired = skipExpired;
  }

  void walk(StoreState.EntryVisitor visitor) {
    // A master leaves expired keys out: it treats them as gone (and logs their removal). A replica
    // keeps them: its master may still extend them, and only the master's log decides.
    boolean skip = skipExpired.getAsBoolean();
    for (int i = 0; i < shards.count(); i++) {
      Shards.Shard s = shards.get(i);
      long stamp = s.lock.readLock();
      byte[][] entries;
      try {
        entries = s.map.entriesCopy();
      } finally {
        s.lock.unlockRead(stamp);
      }
      for (byte[] e : entries) {
        if (!ShardMap.isLive(e)) {
          continue;
        }
        long st = s.lock.tryOptimisticRead();
        byte[] key = EntryLayout.keyOf(e);
        byte[] value = EntryLayout.valueOf(e);
        long expireAt = EntryLayout.expireAt(e);
        if (!s.lock.validate(st)) {
          st = s.lock.readLock();
          try {
            value = EntryLayout.valueOf(e);
            expireAt = EntryLayout.expireAt(e);
          } finally {
            s.lock.unlockRead(st);
          }
        }
        if (skip && EntryLayout.expired(expireAt, clock.millis())) {
          continue;
        }
        visitor.visit(key, value, expireAt);
      }
    }
  }
}
