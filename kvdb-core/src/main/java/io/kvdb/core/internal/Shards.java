package io.kvdb.core.internal;

import io.kvdb.core.spi.Mutation;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * The shards of a store and the one order their locks are taken in.
 *
 * <h2>Locking</h2>
 *
 * Each shard is a {@link ShardMap} behind a {@link StampedLock}. Whoever takes more than one shard
 * lock takes them in ascending shard index ({@link #sortedIndexes}) and releases them in reverse:
 * multi-key writers (write locks), isolated multi-key readers (read locks) and whole-store
 * operations (all locks) can then never wait on each other in a cycle. Single-key operations hold
 * one lock and never take another.
 *
 * <h2>Isolated multi-key reads</h2>
 *
 * {@link #readIsolated} first tries optimistic stamps: take a stamp on every shard involved, read
 * every value, then validate every stamp. All valid means no write lock was taken on any of them
 * between the first stamp and the last validation, so every value read existed together at one
 * instant. Otherwise it reads again under the read locks, taken in ascending order.
 */
final class Shards {
  private static final long SLOT_MASK = 0xFFFF_FFFFL;

  static final class Shard {
    final StampedLock lock = new StampedLock();
    final ShardMap map = new ShardMap();
  }

  private final Shard[] shards;
  private final int shardShift;

  Shards(int count) {
    shards = new Shard[count];
    for (int i = 0; i < count; i++) {
      shards[i] = new Shard();
    }
    shardShift = 32 - Integer.numberOfTrailingZeros(count);
  }

  int count() {
    return shards.length;
  }

  Shard get(int index) {
    return shards[index];
  }

  Shard of(int hash) {
    return shards[indexOf(hash)];
  }

  int indexOf(int hash) {
    return (int) ((hash & SLOT_MASK) >>> shardShift);
  }

  /** The distinct shard indexes of {@code hashes}, ascending: the order locks are taken in. */
  int[] sortedIndexes(int[] hashes) {
    int[] idx = new int[hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      idx[i] = indexOf(hashes[i]);
    }
    Arrays.sort(idx);
    int n = 0;
    for (int i = 0; i < idx.length; i++) {
      if (n == 0 || idx[n - 1] != idx[i]) {
        idx[n++] = idx[i];
      }
    }
    return n == idx.length ? idx : Arrays.copyOf(idx, n);
  }

  int[] all() {
    int[] all = new int[shards.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  long[] writeLock(int[] sortedIndexes) {
    long[] stamps = new long[sortedIndexes.length];
    for (int i = 0; i < sortedIndexes.length; i++) {
      stamps[i] = shards[sortedIndexes[i]].lock.writeLock();
    }
    return stamps;
  }

  void unlockWrite(int[] sortedIndexes, long[] stamps) {
    for (int i = sortedIndexes.length - 1; i >= 0; i--) {
      shards[sortedIndexes[i]].lock.unlockWrite(stamps[i]);
    }
  }

  /** Stores a value; the caller holds the key's shard write lock (or is recovery). */
  void put(byte[] key, byte[] value, long expireAt) {
    int h = KeyHash.hash(key);
    of(h).map.putValue(key, h, value, expireAt);
  }

  /** Applies one mutation; the caller holds the write lock of every shard it touches. */
  void apply(Mutation m) {
    switch (m.type()) {
      case PUT -> put(m.key(), m.value(), m.expireAtMillis());
      case DELETE -> {
        int h = KeyHash.hash(m.key());
        of(h).map.remove(m.key(), h);
      }
      case EXPIRE -> {
        int h = KeyHash.hash(m.key());
        of(h).map.setExpiry(m.key(), h, m.expireAtMillis());
      }
      case CLEAR -> {
        for (Shard s : shards) {
          s.map.clear();
        }
      }
      case BATCH -> throw new IllegalArgumentException("batches do not nest");
    }
  }

  /**
   * Applies a single-key mutation (PUT, DELETE, EXPIRE) and returns what {@link #restore} needs to
   * undo it: a copy of the key's entry before (null when it had none). The caller holds the lock.
   */
  byte[] applyUndoable(Mutation m) {
    int h = KeyHash.hash(m.key());
    byte[] old = of(h).map.find(m.key(), h);
    byte[] before = old == null ? null : old.clone(); // an in-place overwrite would change old
    apply(m);
    return before;
  }

  /**
   * Puts back an entry {@link #apply} returned ({@code before}), or removes {@code key} when it had
   * none: undoes one mutation of an atomic operation that failed. The caller holds the lock.
   */
  void restore(byte[] key, byte[] before) {
    int h = KeyHash.hash(key);
    ShardMap map = of(h).map;
    if (before == null) {
      map.remove(key, h);
    } else {
      map.put(key, h, before);
    }
  }

  /**
   * The values of {@code keys} (null where absent) as they all were at one instant; see the class
   * note.
   */
  byte[][] readIsolated(byte[][] keys, int[] hashes, long now) {
    int[] idx = sortedIndexes(hashes);
    long[] stamps = new long[idx.length];
    byte[][] values = new byte[keys.length][];
    for (int attempt = 0; attempt < 2; attempt++) {
      if (tryOptimistic(idx, stamps, keys, hashes, values, now)) {
        return values;
      }
    }
    for (int i = 0; i < idx.length; i++) {
      stamps[i] = shards[idx[i]].lock.readLock();
    }
    try {
      for (int i = 0; i < keys.length; i++) {
        values[i] = of(hashes[i]).map.getValue(keys[i], hashes[i], now);
      }
      return values;
    } finally {
      for (int i = idx.length - 1; i >= 0; i--) {
        shards[idx[i]].lock.unlockRead(stamps[i]);
      }
    }
  }

  private boolean tryOptimistic(
      int[] idx, long[] stamps, byte[][] keys, int[] hashes, byte[][] values, long now) {
    for (int i = 0; i < idx.length; i++) {
      stamps[i] = shards[idx[i]].lock.tryOptimisticRead();
      if (stamps[i] == 0) {
        return false; // a writer holds it now
      }
    }
    for (int i = 0; i < keys.length; i++) {
      values[i] = of(hashes[i]).map.getValue(keys[i], hashes[i], now);
    }
    for (int i = 0; i < idx.length; i++) {
      if (!shards[idx[i]].lock.validate(stamps[i])) {
        return false;
      }
    }
    return true;
  }

  /**
   * The number of keys not expired at {@code now}. A shard where nothing can have expired (no TTL,
   * or its earliest expiry is still ahead) is counted without a lock; the others count their
   * expired entries under the shard's read lock, which costs a pass over that shard.
   */
  long size(long now) {
    long n = 0;
    for (Shard s : shards) {
      ShardMap m = s.map;
      if (m.volatileCount() == 0 || m.earliestExpiry() >= now) {
        n += m.size();
        continue;
      }
      long stamp = s.lock.readLock();
      try {
        n += m.size() - m.countExpired(now);
      } finally {
        s.lock.unlockRead(stamp);
      }
    }
    return n;
  }

  /** The number of keys with an expiry (expired ones not yet reclaimed included). */
  long volatileCount() {
    long n = 0;
    for (Shard s : shards) {
      n += s.map.volatileCount();
    }
    return n;
  }

  /** The estimated heap the data takes, read without stopping writers. */
  /** Entries in every shard, expired ones not yet reclaimed included; takes no lock. */
  long entries() {
    long n = 0;
    for (Shard s : shards) {
      n += s.map.size();
    }
    return n;
  }

  long usedMemory() {
    long n = 0;
    for (Shard s : shards) {
      n += s.map.bytes();
    }
    return n;
  }
}
