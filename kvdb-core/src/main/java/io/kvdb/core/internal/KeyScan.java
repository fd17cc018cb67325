package io.kvdb.core.internal;

import io.kvdb.core.ScanPage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SCAN over the shards: a cursor packs the shard index, the shard table's epoch and a slot. Each
 * page reads under the shard's read lock; when a shard's table was rebuilt since the cursor was
 * made (its epoch changed), that shard is visited again from its start, so a key present for the
 * whole iteration is returned at least once (perhaps twice), never missed. Thread-safe.
 */
final class KeyScan {
  private static final int EPOCH_BITS = 15;
  private static final int EPOCH_MASK = (1 << EPOCH_BITS) - 1;
  private static final long SLOT_MASK = 0xFFFF_FFFFL;

  private final Shards shards;

  KeyScan(Shards shards) {
    this.shards = shards;
  }

  /**
   * One page, without keys expired at {@code now}. {@code lockHeld}: the caller already holds every
   * shard's write lock (an atomic operation), so none is taken here.
   */
  ScanPage scan(long cursor, int count, long now, boolean lockHeld) {
    if (cursor < 0) {
      throw new IllegalArgumentException("invalid cursor " + cursor);
    }
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    int shardIdx = (int) (cursor >>> (32 + EPOCH_BITS));
    int epoch = (int) (cursor >>> 32) & EPOCH_MASK;
    int slot = (int) (cursor & SLOT_MASK);
    if (shardIdx >= shards.count()) {
      throw new IllegalArgumentException("invalid cursor " + cursor);
    }
    List<byte[]> keys = new ArrayList<>(Math.min(count, 1024));
    while (shardIdx < shards.count() && keys.size() < count) {
      Shards.Shard s = shards.get(shardIdx);
      long stamp = lockHeld ? 0 : s.lock.readLock();
      int next;
      int currentEpoch;
      try {
        currentEpoch = s.map.epoch() & EPOCH_MASK;
        if (slot != 0 && currentEpoch != epoch) {
          slot = 0; // the table was rebuilt: restart this shard (duplicates, never misses)
        }
        next = s.map.scan(slot, count - keys.size(), now, keys::add);
      } finally {
        if (!lockHeld) {
          s.lock.unlockRead(stamp);
        }
      }
      if (next < 0) {
        shardIdx++;
        slot = 0;
      } else {
        slot = next;
        epoch = currentEpoch;
      }
    }
    long nextCursor =
        shardIdx >= shards.count()
            ? 0
            : ((long) shardIdx << (32 + EPOCH_BITS)) | ((long) epoch << 32) | (slot & SLOT_MASK);
    return new ScanPage(nextCursor, keys);
  }

  /**
   * A key that exists at {@code now}, chosen by picking a shard in proportion to its size and a
   * random slot in it (so not uniformly, like Redis' RANDOMKEY); null when the store is empty.
   */
  byte[] randomKey(long now, boolean lockHeld) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 4; attempt++) {
      long total = 0;
      for (int i = 0; i < shards.count(); i++) {
        total += shards.get(i).map.size();
      }
      if (total == 0) {
        return null;
      }
      long pick = random.nextLong(total);
      int idx = 0;
      for (; idx < shards.count() - 1; idx++) {
        pick -= shards.get(idx).map.size();
        if (pick < 0) {
          break;
        }
      }
      Shards.Shard s = shards.get(idx);
      long stamp = lockHeld ? 0 : s.lock.readLock();
      try {
        byte[] e = s.map.liveEntryFrom(random.nextInt(s.map.capacity()), now);
        if (e != null) {
          return EntryLayout.keyOf(e);
        }
      } finally {
        if (!lockHeld) {
          s.lock.unlockRead(stamp);
        }
      }
    }
    // Every pick met a shard holding only expired keys (or emptied meanwhile): look everywhere.
    for (int i = 0; i < shards.count(); i++) {
      Shards.Shard s = shards.get(i);
      long stamp = lockHeld ? 0 : s.lock.readLock();
      try {
        byte[] e = s.map.liveEntryFrom(0, now);
        if (e != null) {
          return EntryLayout.keyOf(e);
        }
      } finally {
        if (!lockHeld) {
          s.lock.unlockRead(stamp);
        }
      }
    }
    return null;
  }
}
