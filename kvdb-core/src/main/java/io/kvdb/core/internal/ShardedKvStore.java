package io.kvdb.core.internal;

import io.kvdb.core.EntryFunction;
import io.kvdb.core.KvStore;
import io.kvdb.core.KvStoreBuilder;
import io.kvdb.core.ScanPage;
import io.kvdb.core.StoreStats;
import io.kvdb.core.Ttl;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The {@link KvStore} implementation: argument checks, the lifecycle, and the wiring of its parts —
 * {@link Shards} (maps, lock order, isolated reads), {@link Limits}, {@link LogGate}, {@link
 * KeyReads}, {@link KeyWrites}, {@link MultiKeyWrites} (and {@link AtomicView}), {@link Expirer},
 * {@link LogApplier} (recovery and replica apply), {@link SnapshotWalk} and {@link KeyScan}.
 *
 * <h2>Write path</h2>
 *
 * Back-pressure, then validate, then log, then apply. A writer first waits while the log holds more
 * queued bytes than its limit ({@link WriteAheadLog#whenWritable}; async writes skip the wait when
 * the builder says so, for callers that must never block). Arguments and limits are checked before
 * anything is locked; under the shard's write lock the record is handed to the WAL (which assigns
 * the next LSN and queues it without blocking) and then applied to memory. Because both happen
 * under the lock that orders writes to the key, memory order equals LSN order per key. The caller's
 * future completes when the WAL says the record is durable, on a thread of the log's that holds no
 * lock, so its callbacks may call back into the store.
 *
 * <h2>Read path</h2>
 *
 * Reads take an optimistic stamp, probe, copy the value and validate; only when a writer raced them
 * do they retry under the read lock. A validated read is linearizable ({@link KeyReads}). No read
 * shows a key whose expiry has passed on the builder's clock.
 */
public final class ShardedKvStore implements StoreEngine {
  private final Shards shards;
  private final WriteAheadLog wal;
  private final Limits limits;
  private final Clock clock;
  private volatile boolean removeExpired;
  private final KeyWrites keyWrites;
  private final Expirer expirer;
  private final MultiKeyWrites multiKey;
  private final LogApplier applier;
  private final SnapshotWalk snapshots;
  private final KeyReads reads;
  private final LogGate gate;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RecoveryReport recovery = RecoveryReport.empty();

  private ShardedKvStore(KvStoreBuilder builder) {
    this.shards = new Shards(builder.shards());
    this.wal = builder.wal();
    this.limits =
        new Limits(builder.maxKeySize(), builder.maxValueSize(), builder.maxMemory(), shards);
    this.clock = builder.clock();
    this.gate = new LogGate(wal, builder.asyncWritesWaitForLog(), builder.adoptArrays());
    this.removeExpired = builder.removeExpiredKeys();
    this.expirer = new Expirer(shards, wal, clock, () -> removeExpired);
    this.keyWrites =
        new KeyWrites(shards, limits, wal, clock, () -> removeExpired, this::syncBarrier, expirer);
    this.multiKey =
        new MultiKeyWrites(
            shards, limits, wal, clock, () -> removeExpired, this::syncBarrier, expirer, gate);
    this.applier = new LogApplier(shards, wal);
    this.snapshots = new SnapshotWalk(shards, clock, () -> removeExpired);
    this.reads = new KeyReads(shards, clock, keyWrites);
  }

  /** Creates a store from a builder, opening and replaying its WAL. */
  public static ShardedKvStore open(KvStoreBuilder builder) {
    ShardedKvStore store = new ShardedKvStore(builder);
    store.openLog();
    return store;
  }

  /**
   * A store whose log is not opened yet: {@link #load} fills it, then {@link #openLog} recovers the
   * log into it. A replica builds a full sync this way while the entries arrive, so that the log
   * (told that its snapshot is already loaded) does not load the same data again. Nothing else may
   * use the store before {@link #openLog} returns.
   */
  public static ShardedKvStore unopened(KvStoreBuilder builder) {
    return new ShardedKvStore(builder);
  }

  /** Puts an entry into a store whose log is not open yet (one thread; see {@link #unopened}). */
  @Override
  public void load(byte[] key, byte[] value, long expireAtMillis) {
    shards.put(key, value, expireAtMillis);
  }

  /**
   * Opens and recovers the log (once); see {@link #unopened}. Keys that expired while the store was
   * down are then removed, their removal logged (unless this store does not remove expired keys).
   */
  @Override
  public void openLog() {
    if (wal != null) {
      try {
        recovery = wal.open(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the write-ahead log: " + e.getMessage(), e);
      }
    }
    if (shards.volatileCount() > 0) {
      expirer.purgeAll();
      expirer.ensureStarted();
    }
  }

  /**
   * Whether this store removes expired keys itself (see {@link KvStoreBuilder#removeExpiredKeys});
   * a replication node turns it off while it is a replica and on when it is promoted.
   */
  @Override
  public void removeExpiredKeys(boolean remove) {
    this.removeExpired = remove;
    if (remove && shards.volatileCount() > 0) {
      expirer.ensureStarted();
    } else if (!remove) {
      // Wait out a removal in progress: once this returns, nothing more is logged for expiry.
      int[] all = shards.all();
      shards.unlockWrite(all, shards.writeLock(all));
    }
  }

  /** Keys removed because their expiry passed, since the store opened (or {@link #resetStats}). */
  @Override
  public long expiredKeys() {
    return expirer.expiredKeys();
  }

  /** Zeroes the statistics counters (Redis' CONFIG RESETSTAT). */
  @Override
  public void resetStats() {
    expirer.resetCount();
  }

  /** Keys with an expiry (those expired but not yet reclaimed included), read without locks. */
  @Override
  public long keysWithExpiry() {
    return shards.volatileCount();
  }

  /** What the WAL's recovery did when this store opened. */
  @Override
  public RecoveryReport recoveryReport() {
    return recovery;
  }

  /** The number of shards. */
  @Override
  public int shardCount() {
    return shards.count();
  }

  /* ---- Reads ---- */

  @Override
  public byte[] get(byte[] key) {
    limits.checkKey(key);
    ensureOpen();
    byte[] value = reads.get(key);
    gate.refuseLostWrite(key);
    return value;
  }

  @Override
  public int get(byte[] key, ByteBuffer into) {
    limits.checkKey(key);
    ensureOpen();
    int n = reads.get(key, into); // checks into (null, read-only)
    gate.refuseLostWrite(key);
    return n;
  }

  @Override
  public Ttl ttl(byte[] key) {
    limits.checkKey(key);
    ensureOpen();
    Ttl ttl = reads.ttl(key);
    gate.refuseLostWrite(key);
    return ttl;
  }

  @Override
  public List<byte[]> getAll(List<byte[]> keys) {
    Objects.requireNonNull(keys, "keys must not be null");
    byte[][] k = new byte[keys.size()][];
    for (int i = 0; i < k.length; i++) {
      k[i] = keys.get(i);
      limits.checkKey(k[i]);
    }
    ensureOpen();
    List<byte[]> values = reads.getAll(k);
    for (byte[] key : k) {
      gate.refuseLostWrite(key);
    }
    return values;
  }

  @Override
  public long size() {
    ensureOpen();
    return reads.size();
  }

  @Override
  public ScanPage scan(long cursor, int count) {
    ensureOpen();
    return reads.scan(cursor, count);
  }

  @Override
  public byte[] randomKey() {
    ensureOpen();
    return reads.randomKey();
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public StoreStats stats() {
    return new StoreStats(
        entries(),
        shards.volatileCount(),
        expirer.expiredKeys(),
        shards.usedMemory(),
        limits.maxMemory(),
        shards.count(),
        wal == null ? null : wal.stats());
  }

  @Override
  public CompletableFuture<Void> syncBarrier() {
    ensureOpen();
    return wal == null ? CompletableFuture.completedFuture(null) : wal.whenDurable(wal.lastLsn());
  }

  @Override
  public CompletableFuture<Long> snapshot() {
    ensureOpen();
    return wal == null
        ? CompletableFuture.failedFuture(
            new IllegalStateException("a store without a write-ahead log has nothing to snapshot"))
        : wal.snapshot();
  }

  @Override
  public CompletableFuture<Void> whenWritable() {
    return wal == null ? CompletableFuture.completedFuture(null) : wal.whenWritable();
  }

  @Override
  public long lastLsn() {
    return wal == null ? 0 : wal.lastLsn();
  }

  /* ---- Single-key writes ---- */

  @Override
  public void put(byte[] key, byte[] value) {
    gate.awaitRoom(true);
    CompletableFuture<Void> durable = write(key, value, 0);
    if (durable != null) {
      try {
        wal.awaitDurable(durable);
      } catch (CompletionException e) {
        LogGate.await(durable); // reports the failure as DurabilityException
      }
    }
  }

  @Override
  public boolean delete(byte[] key) {
    gate.awaitRoom(true);
    return LogGate.await(remove(key));
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
    gate.awaitRoom(false);
    CompletableFuture<Void> durable = write(key, value, 0);
    return durable == null ? CompletableFuture.completedFuture(null) : durable;
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value, long expireAtMillis) {
    if (expireAtMillis < 0) {
      throw new IllegalArgumentException(
          "expireAtMillis must be 0 (none) or a Unix time in milliseconds, got " + expireAtMillis);
    }
    gate.awaitRoom(false);
    CompletableFuture<Void> durable = write(key, value, expireAtMillis);
    return durable == null ? CompletableFuture.completedFuture(null) : durable;
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    gate.awaitRoom(false);
    return remove(key);
  }

  /** Puts; returns the durability future, or null when there is no log (durable at once). */
  private CompletableFuture<Void> write(byte[] key, byte[] value, long expireAt) {
    limits.checkKey(key);
    limits.checkValue(value);
    ensureOpen();
    return keyWrites.put(gate.owned(key), gate.owned(value), expireAt);
  }

  private CompletableFuture<Boolean> remove(byte[] key) {
    limits.checkKey(key);
    ensureOpen();
    return keyWrites.remove(gate.owned(key));
  }

  @Override
  public <R> CompletableFuture<R> computeEntry(byte[] key, EntryFunction<R> function) {
    limits.checkKey(key);
    Objects.requireNonNull(function, "function must not be null");
    gate.awaitRoom(false);
    ensureOpen();
    return keyWrites.compute(gate.owned(key), function);
  }

  @Override
  public <R> CompletableFuture<R> atomically(List<byte[]> keys, Function<KvStore, R> work) {
    Objects.requireNonNull(work, "work must not be null");
    List<byte[]> copies = keys == null ? null : multiKey.keys(keys);
    gate.awaitRoom(false);
    ensureOpen();
    return multiKey.atomically(copies, work);
  }

  /* ---- Multi-key writes ---- */

  @Override
  public CompletableFuture<Void> putAllAsync(List<byte[]> keysAndValues) {
    var puts = multiKey.puts(keysAndValues);
    gate.awaitRoom(false);
    ensureOpen();
    return multiKey.putAll(puts);
  }

  @Override
  public CompletableFuture<Integer> deleteAllAsync(List<byte[]> keys) {
    List<byte[]> copies = multiKey.keys(keys);
    gate.awaitRoom(false);
    ensureOpen();
    return multiKey.deleteAll(copies);
  }

  @Override
  public CompletableFuture<Void> clearAsync() {
    gate.awaitRoom(false);
    ensureOpen();
    return multiKey.clear();
  }

  @Override
  public CompletableFuture<Void> applyReplicated(WalRecord record) {
    gate.awaitRoom(true); // a replica's apply loop may wait: it is what reads from the master
    ensureOpen();
    return applier.applyReplicated(record);
  }

  /* ---- StoreState: recovery and snapshots ---- */

  @Override
  public void apply(WalRecord record) {
    applier.applyRecovered(record);
  }

  @Override
  public void snapshot(EntryVisitor visitor) {
    snapshots.walk(visitor);
  }

  /* ---- Lifecycle ---- */

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    expirer.close();
    if (wal != null) {
      // Take every lock once so that no write is half-way between log and memory while we close.
      int[] all = shards.all();
      shards.unlockWrite(all, shards.writeLock(all));
      try {
        wal.close();
      } catch (IOException e) {
        throw new UncheckedIOException("closing the write-ahead log failed: " + e.getMessage(), e);
      }
    }
  }

  /* ---- Helpers ---- */

  /**
   * Entries in memory, expired ones not yet reclaimed included: a count that takes no lock (for
   * statistics; {@link #size()} is the exact count readers see).
   */
  @Override
  public long entries() {
    return shards.entries();
  }

  /** The estimated heap the data takes (entries and their slots), read without stopping writers. */
  @Override
  public long usedMemory() {
    return shards.usedMemory();
  }

  /** The memory limit, 0 for none. */
  @Override
  public long maxMemory() {
    return limits.maxMemory();
  }

  /**
   * Changes the memory limit (0: none), as Redis' CONFIG SET maxmemory: later writes are checked
   * against it; data already over it stays (deletes always work).
   */
  @Override
  public void maxMemory(long bytes) {
    limits.maxMemory(bytes);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the store is closed");
    }
  }
}
