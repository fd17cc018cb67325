package io.kvdb.core.internal;

import io.kvdb.core.LimitExceededException;
import io.kvdb.core.spi.BatchCodec;

/**
 * The size limits every write is checked against before anything is locked or logged, and the
 * memory limit checked under the shard locks just before logging. A refused write throws {@link
 * LimitExceededException} naming the limit; nothing of it reaches the log. Immutable.
 */
final class Limits {
  private final int maxKeySize;
  private final int maxValueSize;
  private volatile long maxMemory;
  private final Shards shards;

  Limits(int maxKeySize, int maxValueSize, long maxMemory, Shards shards) {
    this.maxKeySize = maxKeySize;
    this.maxValueSize = maxValueSize;
    this.maxMemory = maxMemory;
    this.shards = shards;
  }

  long maxMemory() {
    return maxMemory;
  }

  /** Changes the memory limit; writes checked from now on use it (0: none). */
  void maxMemory(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxMemory must not be negative, got " + bytes);
    }
    maxMemory = bytes;
  }

  void checkKey(byte[] key) {
    if (key == null) {
      throw new NullPointerException("key must not be null");
    }
    if (key.length > maxKeySize) {
      throw new LimitExceededException("maxKeySize", key.length, maxKeySize);
    }
  }

  void checkValue(byte[] value) {
    if (value == null) {
      throw new NullPointerException("value must not be null");
    }
    if (value.length > maxValueSize) {
      throw new LimitExceededException("maxValueSize", value.length, maxValueSize);
    }
  }

  /** A multi-key write is one log record, so it must fit in one. */
  void checkBatch(long encodedSize) {
    if (encodedSize > BatchCodec.MAX_ENCODED_SIZE) {
      throw new LimitExceededException("maxBatchSize", encodedSize, BatchCodec.MAX_ENCODED_SIZE);
    }
  }

  /**
   * Refuses a put that would take the data past the limit. Far from the limit the worst case (a new
   * entry) is compared without probing; only near it is the exact growth computed. The caller holds
   * the shard's write lock.
   */
  void checkMemory(ShardMap map, byte[] key, int hash, int valueLength, boolean withTtl) {
    long maxMemory = this.maxMemory;
    if (maxMemory <= 0) {
      return;
    }
    long used = shards.usedMemory();
    if (used + EntryLayout.cost(16 + key.length + valueLength) <= maxMemory) {
      return;
    }
    long growth = map.growth(key, hash, valueLength, withTtl);
    if (growth > 0 && used + growth > maxMemory) {
      throw new LimitExceededException("maxMemory", used + growth, maxMemory);
    }
  }

  /** Refuses a multi-key put whose summed growth would take the data past the limit. */
  void checkGrowth(long growth) {
    long maxMemory = this.maxMemory;
    if (maxMemory > 0 && growth > 0) {
      long used = shards.usedMemory();
      if (used + growth > maxMemory) {
        throw new LimitExceededException("maxMemory", used + growth, maxMemory);
      }
    }
  }
}
