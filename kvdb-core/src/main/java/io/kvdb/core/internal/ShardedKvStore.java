package io.kvdb.core.internal;

import io.kvdb.core.DurabilityException;
import io.kvdb.core.KeyFunction;
import io.kvdb.core.KvStore;
import io.kvdb.core.KvStoreBuilder;
import io.kvdb.core.LimitExceededException;
import io.kvdb.core.ScanPage;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.StampedLock;

/**
 * The {@link KvStore} implementation: a power-of-two array of shards, each a {@link ShardMap}
 * behind a {@link StampedLock}.
 *
 * <h2>Write path</h2>
 *
 * Validate, then log, then apply: arguments and limits are checked before anything is locked; under
 * the shard's write lock the record is handed to the WAL (which assigns the next LSN and queues it
 * without blocking) and then applied to memory. Because both happen under the lock that orders
 * writes to the key, memory order equals LSN order per key. The caller's future completes when the
 * WAL says the record is durable. Multi-key writes take their shards' locks in ascending index
 * order, so they cannot deadlock with each other.
 *
 * <h2>Read path</h2>
 *
 * Reads take an optimistic stamp, probe, copy the value and validate; only when a writer raced them
 * do they retry under the read lock. A validated read is linearizable.
 */
public final class ShardedKvStore implements KvStore, StoreState {
  private static final byte[] EMPTY = new byte[0];
  private static final long SLOT_MASK = 0xFFFF_FFFFL;
  private static final int EPOCH_BITS = 15;
  private static final int EPOCH_MASK = (1 << EPOCH_BITS) - 1;

  private final Shard[] shards;
  private final int shardShift;
  private final WriteAheadLog wal;
  private final int maxKeySize;
  private final int maxValueSize;
  private final long maxMemory;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RecoveryReport recovery = RecoveryReport.empty();

  private static final class Shard {
    final StampedLock lock = new StampedLock();
    final ShardMap map = new ShardMap();
  }

  private ShardedKvStore(KvStoreBuilder builder) {
    int n = builder.shards();
    this.shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard();
    }
    this.shardShift = 32 - Integer.numberOfTrailingZeros(n);
    this.wal = builder.wal();
    this.maxKeySize = builder.maxKeySize();
    this.maxValueSize = builder.maxValueSize();
    this.maxMemory = builder.maxMemory();
  }

  /** Creates a store from a builder, opening and replaying its WAL. */
  public static ShardedKvStore open(KvStoreBuilder builder) {
    ShardedKvStore store = new ShardedKvStore(builder);
    if (store.wal != null) {
      try {
        store.recovery = store.wal.open(store);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the write-ahead log: " + e.getMessage(), e);
      }
    }
    return store;
  }

  /** What the WAL's recovery did when this store opened. */
  public RecoveryReport recoveryReport() {
    return recovery;
  }

  /** The number of shards. */
  public int shardCount() {
    return shards.length;
  }

  private Shard shard(int hash) {
    return shards[shardIndex(hash)];
  }

  private int shardIndex(int hash) {
    return (int) ((hash & SLOT_MASK) >>> shardShift);
  }

  /* ---- Reads ---- */

  @Override
  public byte[] get(byte[] key) {
    checkKey(key);
    ensureOpen();
    int h = KeyHash.hash(key);
    Shard s = shard(h);
    long stamp = s.lock.tryOptimisticRead();
    if (stamp != 0) {
      byte[] v = s.map.getValue(key, h);
      if (s.lock.validate(stamp)) {
        return v;
      }
    }
    stamp = s.lock.readLock();
    try {
      return s.map.getValue(key, h);
    } finally {
      s.lock.unlockRead(stamp);
    }
  }

  @Override
  public long size() {
    ensureOpen();
    long n = 0;
    for (Shard s : shards) {
      n += s.map.size();
    }
    return n;
  }

  @Override
  public ScanPage scan(long cursor, int count) {
    ensureOpen();
    if (cursor < 0) {
      throw new IllegalArgumentException("invalid cursor " + cursor);
    }
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    int shardIdx = (int) (cursor >>> (32 + EPOCH_BITS));
    int epoch = (int) (cursor >>> 32) & EPOCH_MASK;
    int slot = (int) (cursor & SLOT_MASK);
    if (shardIdx >= shards.length) {
      throw new IllegalArgumentException("invalid cursor " + cursor);
    }
    List<byte[]> keys = new ArrayList<>(Math.min(count, 1024));
    while (shardIdx < shards.length && keys.size() < count) {
      Shard s = shards[shardIdx];
      long stamp = s.lock.readLock();
      int next;
      int currentEpoch;
      try {
        currentEpoch = s.map.epoch() & EPOCH_MASK;
        if (slot != 0 && currentEpoch != epoch) {
          slot = 0; // the table was rebuilt: restart this shard (duplicates, never misses)
        }
        next = s.map.scan(slot, count - keys.size(), keys::add);
      } finally {
        s.lock.unlockRead(stamp);
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
        shardIdx >= shards.length
            ? 0
            : ((long) shardIdx << (32 + EPOCH_BITS)) | ((long) epoch << 32) | (slot & SLOT_MASK);
    return new ScanPage(nextCursor, keys);
  }

  @Override
  public CompletableFuture<Void> syncBarrier() {
    ensureOpen();
    return wal == null ? CompletableFuture.completedFuture(null) : wal.whenDurable(wal.lastLsn());
  }

  @Override
  public long lastLsn() {
    return wal == null ? 0 : wal.lastLsn();
  }

  /* ---- Single-key writes ---- */

  @Override
  public void put(byte[] key, byte[] value) {
    CompletableFuture<Void> durable = write(key, value);
    if (durable != null) {
      await(durable);
    }
  }

  @Override
  public boolean delete(byte[] key) {
    return await(deleteAsync(key));
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
    CompletableFuture<Void> durable = write(key, value);
    return durable == null ? CompletableFuture.completedFuture(null) : durable;
  }

  /** Puts; returns the durability future, or null when there is no log (durable at once). */
  private CompletableFuture<Void> write(byte[] key, byte[] value) {
    checkKey(key);
    checkValue(value);
    ensureOpen();
    key = owned(key);
    value = owned(value);
    int h = KeyHash.hash(key);
    Shard s = shard(h);
    long stamp = s.lock.writeLock();
    try {
      if (maxMemory > 0) {
        checkMemory(s.map, key, h, value.length); // before logging: a refused write never is
      }
      CompletableFuture<Void> durable =
          wal == null ? null : wal.append(RecordType.PUT, key, value, 0);
      s.map.putValue(key, h, value);
      return durable;
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    checkKey(key);
    ensureOpen();
    key = owned(key);
    int h = KeyHash.hash(key);
    Shard s = shard(h);
    long stamp = s.lock.writeLock();
    try {
      if (s.map.find(key, h) == null) {
        return syncBarrier().thenApply(v -> Boolean.FALSE);
      }
      CompletableFuture<Void> durable = log(RecordType.DELETE, key, EMPTY);
      s.map.remove(key, h);
      return durable.thenApply(v -> Boolean.TRUE);
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  @Override
  public <R> CompletableFuture<R> compute(byte[] key, KeyFunction<R> function) {
    checkKey(key);
    Objects.requireNonNull(function, "function must not be null");
    ensureOpen();
    key = owned(key);
    int h = KeyHash.hash(key);
    Shard s = shard(h);
    long stamp = s.lock.writeLock();
    try {
      byte[] current = s.map.find(key, h);
      KeyFunction.Decision<R> d =
          function.apply(current == null ? null : ShardMap.valueOf(current));
      if (d == null) {
        throw new NullPointerException("function returned null");
      }
      R result = d.result();
      switch (d.action()) {
        case PUT -> {
          checkValue(d.newValue());
          byte[] value = owned(d.newValue());
          if (maxMemory > 0) {
            checkMemory(s.map, key, h, value.length);
          }
          CompletableFuture<Void> durable = log(RecordType.PUT, key, value);
          s.map.putValue(key, h, value);
          return durable.thenApply(v -> result);
        }
        case DELETE -> {
          if (current != null) {
            CompletableFuture<Void> durable = log(RecordType.DELETE, key, EMPTY);
            s.map.remove(key, h);
            return durable.thenApply(v -> result);
          }
          return syncBarrier().thenApply(v -> result);
        }
        default -> {
          return syncBarrier().thenApply(v -> result);
        }
      }
    } finally {
      s.lock.unlockWrite(stamp);
    }
  }

  /* ---- Multi-key writes ---- */

  @Override
  public CompletableFuture<Void> putAllAsync(List<byte[]> keysAndValues) {
    Objects.requireNonNull(keysAndValues, "keysAndValues must not be null");
    if ((keysAndValues.size() & 1) != 0) {
      throw new IllegalArgumentException(
          "keysAndValues must hold key/value pairs, got " + keysAndValues.size() + " elements");
    }
    int pairs = keysAndValues.size() / 2;
    byte[][] keys = new byte[pairs][];
    byte[][] values = new byte[pairs][];
    int[] hashes = new int[pairs];
    for (int i = 0; i < pairs; i++) {
      keys[i] = keysAndValues.get(2 * i);
      values[i] = keysAndValues.get(2 * i + 1);
      checkKey(keys[i]);
      checkValue(values[i]);
      keys[i] = owned(keys[i]);
      values[i] = owned(values[i]);
      hashes[i] = KeyHash.hash(keys[i]);
    }
    ensureOpen();
    int[] locked = lockShardsOf(hashes);
    long[] stamps = new long[locked.length];
    for (int i = 0; i < locked.length; i++) {
      stamps[i] = shards[locked[i]].lock.writeLock();
    }
    try {
      if (maxMemory > 0) {
        long growth = 0;
        for (int i = 0; i < pairs; i++) {
          growth += shard(hashes[i]).map.growth(keys[i], hashes[i], values[i].length);
        }
        checkMemory(growth);
      }
      CompletableFuture<Void> last = null;
      for (int i = 0; i < pairs; i++) {
        last = log(RecordType.PUT, keys[i], values[i]);
        shard(hashes[i]).map.putValue(keys[i], hashes[i], values[i]);
      }
      // Futures complete in LSN order, so the last one covers them all.
      return last == null ? syncBarrier() : last;
    } finally {
      unlockAll(locked, stamps);
    }
  }

  @Override
  public CompletableFuture<Integer> deleteAllAsync(List<byte[]> keys) {
    Objects.requireNonNull(keys, "keys must not be null");
    int[] hashes = new int[keys.size()];
    byte[][] owned = new byte[hashes.length][];
    for (int i = 0; i < hashes.length; i++) {
      checkKey(keys.get(i));
      owned[i] = owned(keys.get(i));
      hashes[i] = KeyHash.hash(owned[i]);
    }
    ensureOpen();
    int[] locked = lockShardsOf(hashes);
    long[] stamps = new long[locked.length];
    for (int i = 0; i < locked.length; i++) {
      stamps[i] = shards[locked[i]].lock.writeLock();
    }
    try {
      int removed = 0;
      CompletableFuture<Void> last = null;
      for (int i = 0; i < hashes.length; i++) {
        byte[] key = owned[i];
        ShardMap map = shard(hashes[i]).map;
        if (map.find(key, hashes[i]) != null) {
          last = log(RecordType.DELETE, key, EMPTY);
          map.remove(key, hashes[i]);
          removed++;
        }
      }
      int count = removed;
      return (last == null ? syncBarrier() : last).thenApply(v -> count);
    } finally {
      unlockAll(locked, stamps);
    }
  }

  @Override
  public CompletableFuture<Void> clearAsync() {
    ensureOpen();
    long[] stamps = new long[shards.length];
    for (int i = 0; i < shards.length; i++) {
      stamps[i] = shards[i].lock.writeLock();
    }
    try {
      CompletableFuture<Void> durable = log(RecordType.CLEAR, EMPTY, EMPTY);
      for (Shard s : shards) {
        s.map.clear();
      }
      return durable;
    } finally {
      for (int i = shards.length - 1; i >= 0; i--) {
        shards[i].lock.unlockWrite(stamps[i]);
      }
    }
  }

  @Override
  public CompletableFuture<Void> applyReplicated(WalRecord record) {
    Objects.requireNonNull(record, "record must not be null");
    ensureOpen();
    if (wal == null) {
      throw new IllegalStateException("a store without a write-ahead log cannot apply LSNs");
    }
    int[] locked =
        record.type() == RecordType.CLEAR
            ? allShards()
            : new int[] {shardIndex(KeyHash.hash(record.key()))};
    long[] stamps = new long[locked.length];
    for (int i = 0; i < locked.length; i++) {
      stamps[i] = shards[locked[i]].lock.writeLock();
    }
    try {
      CompletableFuture<Void> durable = wal.appendAt(record);
      applyUnlocked(record);
      return durable;
    } finally {
      unlockAll(locked, stamps);
    }
  }

  /* ---- StoreState: recovery and snapshots ---- */

  @Override
  public void apply(WalRecord record) {
    applyUnlocked(record);
  }

  private void applyUnlocked(WalRecord r) {
    switch (r.type()) {
      case PUT -> {
        int h = KeyHash.hash(r.key());
        shard(h).map.putValue(r.key(), h, r.value());
      }
      case DELETE -> {
        int h = KeyHash.hash(r.key());
        shard(h).map.remove(r.key(), h);
      }
      case CLEAR -> {
        for (Shard s : shards) {
          s.map.clear();
        }
      }
    }
  }

  @Override
  public void snapshot(EntryVisitor visitor) {
    for (Shard s : shards) {
      // Acquiring the lock also waits out any write whose LSN was assigned but not yet applied.
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
        // Values may be overwritten in place under the write lock: read each one validated.
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

  /* ---- Lifecycle ---- */

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (wal != null) {
      // Take every lock once so that no write is half-way between log and memory while we close.
      long[] stamps = new long[shards.length];
      for (int i = 0; i < shards.length; i++) {
        stamps[i] = shards[i].lock.writeLock();
      }
      for (int i = shards.length - 1; i >= 0; i--) {
        shards[i].lock.unlockWrite(stamps[i]);
      }
      try {
        wal.close();
      } catch (IOException e) {
        throw new UncheckedIOException("closing the write-ahead log failed: " + e.getMessage(), e);
      }
    }
  }

  /* ---- Helpers ---- */

  private CompletableFuture<Void> log(RecordType type, byte[] key, byte[] value) {
    if (wal == null) {
      return CompletableFuture.completedFuture(null);
    }
    return wal.append(type, key, value, 0);
  }

  /**
   * The log takes ownership of the arrays it is handed and writes them later, on its own thread, so
   * with a log every write works on copies the caller cannot touch. Without a log, {@link
   * ShardMap#putValue} copies anyway.
   */
  private byte[] owned(byte[] array) {
    return wal == null ? array : array.clone();
  }

  private int[] lockShardsOf(int[] hashes) {
    int[] idx = new int[hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      idx[i] = shardIndex(hashes[i]);
    }
    Arrays.sort(idx);
    int n = 0;
    for (int i = 0; i < idx.length; i++) {
      if (n == 0 || idx[n - 1] != idx[i]) {
        idx[n++] = idx[i];
      }
    }
    return Arrays.copyOf(idx, n);
  }

  private int[] allShards() {
    int[] all = new int[shards.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  private void unlockAll(int[] locked, long[] stamps) {
    for (int i = locked.length - 1; i >= 0; i--) {
      shards[locked[i]].lock.unlockWrite(stamps[i]);
    }
  }

  /** The estimated heap the data takes (entries and their slots), read without stopping writers. */
  public long usedMemory() {
    long n = 0;
    for (Shard s : shards) {
      n += s.map.bytes();
    }
    return n;
  }

  /** The memory limit, 0 for none. */
  public long maxMemory() {
    return maxMemory;
  }

  /**
   * Refuses a put that would take the data past the limit. Far from the limit the worst case (a new
   * entry) is compared without probing; only near it is the exact growth computed.
   */
  private void checkMemory(ShardMap map, byte[] key, int hash, int valueLength) {
    long used = usedMemory();
    if (used + ShardMap.cost(8 + key.length + valueLength) <= maxMemory) {
      return;
    }
    long growth = map.growth(key, hash, valueLength);
    if (growth > 0 && used + growth > maxMemory) {
      throw new LimitExceededException("maxMemory", used + growth, maxMemory);
    }
  }

  private void checkMemory(long growth) {
    if (growth > 0) {
      long used = usedMemory();
      if (used + growth > maxMemory) {
        throw new LimitExceededException("maxMemory", used + growth, maxMemory);
      }
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the store is closed");
    }
  }

  private void checkKey(byte[] key) {
    if (key == null) {
      throw new NullPointerException("key must not be null");
    }
    if (key.length > maxKeySize) {
      throw new LimitExceededException("maxKeySize", key.length, maxKeySize);
    }
  }

  private void checkValue(byte[] value) {
    if (value == null) {
      throw new NullPointerException("value must not be null");
    }
    if (value.length > maxValueSize) {
      throw new LimitExceededException("maxValueSize", value.length, maxValueSize);
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof DurabilityException d) {
        throw d;
      }
      throw new DurabilityException("the write could not be made durable: " + cause, cause);
    }
  }
}
