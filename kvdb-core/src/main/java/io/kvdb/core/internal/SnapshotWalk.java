package io.kvdb.core.internal;

import io.kvdb.core.spi.StoreState;

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

  SnapshotWalk(Shards shards) {
    this.shards = shards;
  }

  void walk(StoreState.EntryVisitor visitor) {
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
        byte[] key = ShardMap.keyOf(e);
        byte[] value = ShardMap.valueOf(e);
        if (!s.lock.validate(st)) {
          st = s.lock.readLock();
          try {
            value = ShardMap.valueOf(e);
          } finally {
            s.lock.unlockRead(st);
          }
        }
        visitor.visit(key, value, 0);
      }
    }
  }
}
