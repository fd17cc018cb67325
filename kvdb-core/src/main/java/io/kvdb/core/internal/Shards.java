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
  void put(byte[] key, byte[] value) {
    int h = KeyHash.hash(key);
    of(h).map.putValue(key, h, value);
  }

  /** Applies one mutation; the caller holds the write lock of every shard it touches. */
  void apply(Mutation m) {
    switch (m.type()) {
      case PUT -> put(m.key(), m.value());
      case DELETE -> {
        int h = KeyHash.hash(m.key());
        of(h).map.remove(m.key(), h);
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
   * The values of {@code keys} (null where absent) as they all were at one instant; see the class
   * note.
   */
  byte[][] readIsolated(byte[][] keys, int[] hashes) {
    int[] idx = sortedIndexes(hashes);
    long[] stamps = new long[idx.length];
    byte[][] values = new byte[keys.length][];
    for (int attempt = 0; attempt < 2; attempt++) {
      if (tryOptimistic(idx, stamps, keys, hashes, values)) {
        return values;
      }
    }
    for (int i = 0; i < idx.length; i++) {
      stamps[i] = shards[idx[i]].lock.readLock();
    }
    try {
      for (int i = 0; i < keys.length; i++) {
        values[i] = of(hashes[i]).map.getValue(keys[i], hashes[i]);
      }
      return values;
    } finally {
      for (int i = idx.length - 1; i >= 0; i--) {
        shards[idx[i]].lock.unlockRead(stamps[i]);
      }
    }
  }

  private boolean tryOptimistic(
      int[] idx, long[] stamps, byte[][] keys, int[] hashes, byte[][] values) {
    for (int i = 0; i < idx.length; i++) {
      stamps[i] = shards[idx[i]].lock.tryOptimisticRead();
      if (stamps[i] == 0) {
        return false; // a writer holds it now
      }
    }
    for (int i = 0; i < keys.length; i++) {
      values[i] = of(hashes[i]).map.getValue(keys[i], hashes[i]);
    }
    for (int i = 0; i < idx.length; i++) {
      if (!shards[idx[i]].lock.validate(stamps[i])) {
        return false;
      }
    }
    return true;
  }

  /** The number of keys, read without stopping writers. */
  long size() {
    long n = 0;
    for (Shard s : shards) {
      n += s.map.size();
    }
    return n;
  }

  /** The estimated heap the data takes, read without stopping writers. */
  long usedMemory() {
    long n = 0;
    for (Shard s : shards) {
      n += s.map.bytes();
    }
    return n;
  }
}
