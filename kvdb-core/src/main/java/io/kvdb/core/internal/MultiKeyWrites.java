package io.kvdb.core.internal;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.BatchCodec;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WriteAheadLog;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Writes that touch several keys, each one atomic for readers, for the log and so for recovery and
 * replicas.
 *
 * <p>Arguments are checked and copied before any lock is taken. Then the write locks of every shard
 * involved are taken in ascending order ({@link Shards}), the operation is handed to the log as
 * <em>one</em> record — a {@link RecordType#BATCH} of its mutations, or a single PUT/DELETE/CLEAR
 * when that is all it is — and applied to memory, all under those locks. One record means one LSN
 * and one checksum: a group commit cannot end inside it, a torn tail drops it whole, a cursor reads
 * it whole. Holding every lock while applying means no isolated read ({@link Shards#readIsolated})
 * sees part of it. Thread-safe.
 */
final class MultiKeyWrites {
  private static final byte[] EMPTY = new byte[0];

  private final Shards shards;
  private final Limits limits;
  private final WriteAheadLog wal;
  private final Clock clock;
  private final BooleanSupplier reclaim;
  private final Supplier<CompletableFuture<Void>> barrier;
  private final Expirer expirer;
  private final LogGate gate;

  MultiKeyWrites(
      Shards shards,
      Limits limits,
      WriteAheadLog wal,
      Clock clock,
      BooleanSupplier reclaim,
      Supplier<CompletableFuture<Void>> barrier,
      Expirer expirer,
      LogGate gate) {
    this.shards = shards;
    this.limits = limits;
    this.wal = wal;
    this.clock = clock;
    this.reclaim = reclaim;
    this.barrier = barrier;
    this.expirer = expirer;
    this.gate = gate;
  }

  /** Checked copies of key/value pairs, made before any lock is taken. */
  List<Mutation> puts(List<byte[]> keysAndValues) {
    Objects.requireNonNull(keysAndValues, "keysAndValues must not be null");
    if ((keysAndValues.size() & 1) != 0) {
      throw new IllegalArgumentException(
          "keysAndValues must hold key/value pairs, got " + keysAndValues.size() + " elements");
    }
    List<Mutation> puts = new ArrayList<>(keysAndValues.size() / 2);
    for (int i = 0; i < keysAndValues.size(); i += 2) {
      byte[] key = keysAndValues.get(i);
      byte[] value = keysAndValues.get(i + 1);
      limits.checkKey(key);
      limits.checkValue(value);
      puts.add(Mutation.put(gate.owned(key), gate.owned(value)));
    }
    limits.checkBatch(BatchCodec.encodedSize(puts));
    return puts;
  }

  CompletableFuture<Void> putAll(List<Mutation> puts) {
    if (puts.isEmpty()) {
      return barrier.get();
    }
    int[] hashes = hashes(puts);
    int[] locked = shards.sortedIndexes(hashes);
    long[] stamps = shards.writeLock(locked);
    try {
      long growth = 0;
      for (int i = 0; i < puts.size(); i++) {
        Mutation m = puts.get(i);
        growth += shards.of(hashes[i]).map.growth(m.key(), hashes[i], m.value().length, false);
      }
      limits.checkGrowth(growth); // before logging: a refused write never is
      CompletableFuture<Void> durable = log(puts);
      for (int i = 0; i < puts.size(); i++) {
        Mutation m = puts.get(i);
        shards.of(hashes[i]).map.putValue(m.key(), hashes[i], m.value(), 0);
      }
      return durable;
    } finally {
      shards.unlockWrite(locked, stamps);
    }
  }

  /** Checked copies of keys, made before any lock is taken. */
  List<byte[]> keys(List<byte[]> keys) {
    Objects.requireNonNull(keys, "keys must not be null");
    List<byte[]> copies = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      limits.checkKey(k);
      copies.add(gate.owned(k));
    }
    return copies;
  }

  /** Removes the keys that exist, as one logged unit; completes with how many did. */
  CompletableFuture<Integer> deleteAll(List<byte[]> keys) {
    int[] hashes = new int[keys.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = KeyHash.hash(keys.get(i));
    }
    int[] locked = shards.sortedIndexes(hashes);
    long[] stamps = shards.writeLock(locked);
    try {
      List<Mutation> deletes = new ArrayList<>();
      List<Integer> at = new ArrayList<>();
      // DEL a a removes one key, as in Redis: each existing key is logged and counted once. An
      // expired key counts as absent, but its removal is logged too (it reclaims the memory).
      Set<ByteBuffer> seen = keys.size() > 1 ? new HashSet<>() : null;
      long now = clock.millis();
      boolean reclaimExpired = reclaim.getAsBoolean();
      int removed = 0;
      for (int i = 0; i < hashes.length; i++) {
        byte[] key = keys.get(i);
        byte[] e = shards.of(hashes[i]).map.find(key, hashes[i]);
        if (e == null || (seen != null && !seen.add(ByteBuffer.wrap(key)))) {
          continue;
        }
        boolean live = !EntryLayout.expired(e, now);
        if (live || reclaimExpired) {
          deletes.add(Mutation.delete(key));
          at.add(i);
          removed += live ? 1 : 0;
          if (!live) {
            expirer.countReclaimed();
          }
        }
      }
      if (deletes.isEmpty()) {
        return barrier.get().thenApply(v -> 0);
      }
      CompletableFuture<Void> durable = log(deletes);
      for (int i : at) {
        shards.of(hashes[i]).map.remove(keys.get(i), hashes[i]);
      }
      int count = removed;
      return durable.thenApply(v -> count);
    } finally {
      shards.unlockWrite(locked, stamps);
    }
  }

  /** See {@link io.kvdb.core.KvStore#atomically}; keys are checked, null means every shard. */
  <R> CompletableFuture<R> atomically(List<byte[]> keys, Function<KvStore, R> work) {
    int[] locked;
    if (keys == null) {
      locked = shards.all();
    } else {
      int[] hashes = new int[keys.size()];
      for (int i = 0; i < hashes.length; i++) {
        limits.checkKey(keys.get(i));
        hashes[i] = KeyHash.hash(keys.get(i));
      }
      locked = shards.sortedIndexes(hashes);
    }
    long[] stamps = shards.writeLock(locked);
    try {
      AtomicView view =
          new AtomicView(
              shards,
              locked,
              limits,
              clock,
              reclaim.getAsBoolean(),
              wal != null,
              wal == null ? 0 : wal.lastLsn(),
              expirer);
      R result;
      CompletableFuture<Void> durable;
      try {
        result = work.apply(view);
        List<Mutation> changes = view.mutations();
        if (changes.isEmpty()) {
          view.finish();
          return barrier.get().thenApply(v -> result);
        }
        limits.checkBatch(BatchCodec.encodedSize(changes));
        durable = log(changes);
      } catch (RuntimeException | Error e) {
        view.undo(); // nothing of it was logged: memory goes back to what the log says
        throw e;
      }
      view.finish();
      return durable.thenApply(v -> result);
    } finally {
      shards.unlockWrite(locked, stamps);
    }
  }

  CompletableFuture<Void> clear() {
    int[] all = shards.all();
    long[] stamps = shards.writeLock(all);
    try {
      CompletableFuture<Void> durable = log(List.of(Mutation.clear()));
      shards.apply(Mutation.clear());
      return durable;
    } finally {
      shards.unlockWrite(all, stamps);
    }
  }

  /** Hands the operation to the log as one record; the caller holds every lock it touches. */
  private CompletableFuture<Void> log(List<Mutation> mutations) {
    if (wal == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (mutations.size() == 1) {
      Mutation m = mutations.get(0);
      return wal.append(m.type(), m.key(), m.value(), m.expireAtMillis());
    }
    return wal.append(RecordType.BATCH, EMPTY, BatchCodec.encode(mutations), 0);
  }

  private static int[] hashes(List<Mutation> mutations) {
    int[] hashes = new int[mutations.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = KeyHash.hash(mutations.get(i).key());
    }
    return hashes;
  }
}
