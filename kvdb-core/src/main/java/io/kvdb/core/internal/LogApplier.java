package io.kvdb.core.internal;

import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Applies logged records to memory, verbatim: a record whose expiry has passed is applied all the
 * same, because a later record (an EXPIRE that extended it) may still bring it back; the store
 * drops what is expired once the whole log is in. Applies them: during recovery (single-threaded,
 * before the store serves, so without locks) and on a replica (while readers run, so under the
 * write locks of every shard the record touches, taken in ascending order, with the record handed
 * to the local log under the same locks). A BATCH record applies all of its mutations under those
 * locks: readers see none or all of it. Thread-safe.
 */
final class LogApplier {
  private final Shards shards;
  private final WriteAheadLog wal;

  LogApplier(Shards shards, WriteAheadLog wal) {
    this.shards = shards;
    this.wal = wal;
  }

  /** Recovery: applies without locks or logging. Plain records skip the mutation list. */
  void applyRecovered(WalRecord record) {
    switch (record.type()) {
      case PUT -> shards.put(record.key(), record.value(), record.expireAtMillis());
      case BATCH -> {
        for (Mutation m : record.mutations()) {
          shards.apply(m);
        }
      }
      default ->
          shards.apply(
              new Mutation(record.type(), record.key(), record.value(), record.expireAtMillis()));
    }
  }

  /** A replica: logs the record with its master's LSN and applies it, atomically for readers. */
  CompletableFuture<Void> applyReplicated(WalRecord record) {
    Objects.requireNonNull(record, "record must not be null");
    if (wal == null) {
      throw new IllegalStateException("a store without a write-ahead log cannot apply LSNs");
    }
    List<Mutation> mutations = record.mutations(); // decoded (and validated) before locking
    int[] locked = lockOrder(mutations);
    long[] stamps = shards.writeLock(locked);
    try {
      CompletableFuture<Void> durable = wal.appendAt(record);
      for (Mutation m : mutations) {
        shards.apply(m);
      }
      return durable;
    } finally {
      shards.unlockWrite(locked, stamps);
    }
  }

  private int[] lockOrder(List<Mutation> mutations) {
    int[] hashes = new int[mutations.size()];
    for (int i = 0; i < hashes.length; i++) {
      Mutation m = mutations.get(i);
      if (m.type() == RecordType.CLEAR) {
        return shards.all();
      }
      hashes[i] = KeyHash.hash(m.key());
    }
    return shards.sortedIndexes(hashes);
  }
}
