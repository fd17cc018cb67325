package io.kvdb.core.internal;

import io.kvdb.core.EntryFunction;
import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.core.KvStore;
import io.kvdb.core.ScanPage;
import io.kvdb.core.StoreStats;
import io.kvdb.core.Ttl;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The store as {@link KvStore#atomically} shows it to its work: reads and writes straight on shards
 * whose write locks the caller holds, so it never locks (the locks are not reentrant) and never
 * blocks.
 *
 * <p>Each write is checked against the limits, applied to memory at once (so later reads of the
 * same work see it) and recorded twice: as a {@link Mutation} for the one record the caller logs at
 * the end, and as an undo entry (the key's entry before) in case the work or the log fails. Logging
 * after applying is safe here because nothing outside can look at these shards until the locks are
 * released, by which time the record is in the log or every change has been undone. Confined to the
 * thread running the work; unusable once the work returned.
 */
final class AtomicView implements KvStore {
  private final Shards shards;
  private final boolean[] locked;
  private final boolean all;
  private final Limits limits;
  private final Clock clock;
  private final boolean reclaim;
  private final boolean copyValues;
  private final KeyScan scanner;
  private final long lastLsn;
  private final Expirer expirer;
  private final List<Mutation> mutations = new ArrayList<>();
  private final List<byte[]> undoKeys = new ArrayList<>();
  private final List<byte[]> undoEntries = new ArrayList<>();
  private boolean done;

  AtomicView(
      Shards shards,
      int[] lockedIndexes,
      Limits limits,
      Clock clock,
      boolean reclaim,
      boolean copyValues,
      long lastLsn,
      Expirer expirer) {
    this.shards = shards;
    this.locked = new boolean[shards.count()];
    for (int i : lockedIndexes) {
      locked[i] = true;
    }
    this.all = lockedIndexes.length == shards.count();
    this.limits = limits;
    this.clock = clock;
    this.reclaim = reclaim;
    this.copyValues = copyValues;
    this.scanner = new KeyScan(shards);
    this.lastLsn = lastLsn;
    this.expirer = expirer;
  }

  /** What the work changed, in order: the record to log. */
  List<Mutation> mutations() {
    return mutations;
  }

  /** Ends the view: later calls throw. */
  void finish() {
    done = true;
  }

  /** Puts every changed entry back as it was, newest change first, and ends the view. */
  void undo() {
    done = true;
    for (int i = undoKeys.size() - 1; i >= 0; i--) {
      byte[] key = undoKeys.get(i);
      if (key == null) {
        continue; // a CLEAR: the entries it removed follow it in the undo list
      }
      shards.restore(key, undoEntries.get(i));
    }
    mutations.clear();
  }

  private int shardOf(byte[] key) {
    limits.checkKey(key);
    if (done) {
      throw new IllegalStateException("the atomic operation has ended; its view is closed");
    }
    int h = KeyHash.hash(key);
    if (!locked[shards.indexOf(h)]) {
      throw new IllegalArgumentException(
          "key outside the keys declared to atomically(): " + key.length + " bytes");
    }
    return h;
  }

  private void requireAll(String what) {
    if (done) {
      throw new IllegalStateException("the atomic operation has ended; its view is closed");
    }
    if (!all) {
      throw new IllegalArgumentException(what + " needs atomically(null, ...): the whole store");
    }
  }

  private void record(Mutation m) {
    if (m.type() == RecordType.CLEAR) {
      undoKeys.add(null);
      undoEntries.add(null);
      for (int i = 0; i < shards.count(); i++) {
        for (byte[] e : shards.get(i).map.entriesCopy()) {
          if (ShardMap.isLive(e)) {
            undoKeys.add(EntryLayout.keyOf(e));
            undoEntries.add(e);
          }
        }
      }
      shards.apply(m);
    } else {
      undoKeys.add(m.key());
      undoEntries.add(shards.applyUndoable(m));
    }
    mutations.add(m);
  }

  /* ---- Reads ---- */

  @Override
  public byte[] get(byte[] key) {
    int h = shardOf(key);
    return shards.of(h).map.getValue(key, h, clock.millis());
  }

  @Override
  public List<byte[]> getAll(List<byte[]> keys) {
    List<byte[]> out = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      out.add(get(k));
    }
    return out;
  }

  @Override
  public Ttl ttl(byte[] key) {
    int h = shardOf(key);
    long now = clock.millis();
    byte[] e = shards.of(h).map.find(key, h);
    if (e == null || EntryLayout.expired(e, now)) {
      return Ttl.noKey(now);
    }
    return new Ttl(true, EntryLayout.expireAt(e), now);
  }

  @Override
  public ScanPage scan(long cursor, int count) {
    requireAll("scan");
    return scanner.scan(cursor, count, clock.millis(), true);
  }

  @Override
  public long size() {
    requireAll("size");
    long now = clock.millis();
    long n = 0;
    for (int i = 0; i < shards.count(); i++) {
      ShardMap m = shards.get(i).map;
      n += m.size() - m.countExpired(now);
    }
    return n;
  }

  @Override
  public byte[] randomKey() {
    requireAll("randomKey");
    return scanner.randomKey(clock.millis(), true);
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public StoreStats stats() {
    throw new UnsupportedOperationException("stats() of the store, not of an atomically() view");
  }

  @Override
  public long lastLsn() {
    return lastLsn;
  }

  /* ---- Writes ---- */

  @Override
  public <R> CompletableFuture<R> computeEntry(byte[] key, EntryFunction<R> function) {
    Objects.requireNonNull(function, "function must not be null");
    int h = shardOf(key);
    ShardMap map = shards.of(h).map;
    long now = clock.millis();
    byte[] e = map.find(key, h);
    boolean live = e != null && !EntryLayout.expired(e, now);
    Decision<R> d =
        function.apply(live ? EntryLayout.valueOf(e) : null, live ? EntryLayout.expireAt(e) : 0);
    if (d == null) {
      throw new NullPointerException("function returned null");
    }
    Mutation m = KeyWrites.resolve(key, e, now, d, reclaim, copyValues);
    if (m != null) {
      check(m, map, h);
      record(m);
      if (e != null && !live) {
        expirer.countReclaimed(); // counted at once: an undo puts back an entry nobody can see
      }
    }
    return CompletableFuture.completedFuture(d.result());
  }

  private void check(Mutation m, ShardMap map, int hash) {
    if (m.type() == RecordType.PUT) {
      limits.checkValue(m.value());
      limits.checkMemory(map, m.key(), hash, m.value().length, m.expireAtMillis() != 0);
    }
    if (m.expireAtMillis() != 0) {
      expirer.ensureStarted();
    }
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value, long expireAtMillis) {
    limits.checkValue(value);
    if (expireAtMillis < 0) {
      throw new IllegalArgumentException("expireAtMillis must not be negative: " + expireAtMillis);
    }
    return computeEntry(key, (v, x) -> Decision.put(value, expireAtMillis, null));
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
    return putAsync(key, value, 0);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    putAsync(key, value, 0);
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    return computeEntry(
        key, (v, x) -> v == null ? Decision.keep(Boolean.FALSE) : Decision.delete(Boolean.TRUE));
  }

  @Override
  public boolean delete(byte[] key) {
    return deleteAsync(key).join();
  }

  @Override
  public CompletableFuture<Void> putAllAsync(List<byte[]> keysAndValues) {
    if ((keysAndValues.size() & 1) != 0) {
      throw new IllegalArgumentException(
          "keysAndValues must hold key/value pairs, got " + keysAndValues.size() + " elements");
    }
    for (int i = 0; i < keysAndValues.size(); i += 2) {
      shardOf(keysAndValues.get(i)); // refuse before changing anything
      limits.checkValue(keysAndValues.get(i + 1));
    }
    for (int i = 0; i < keysAndValues.size(); i += 2) {
      putAsync(keysAndValues.get(i), keysAndValues.get(i + 1), 0);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Integer> deleteAllAsync(List<byte[]> keys) {
    int n = 0;
    for (byte[] k : keys) {
      n += deleteAsync(k).join() ? 1 : 0;
    }
    return CompletableFuture.completedFuture(n);
  }

  @Override
  public CompletableFuture<Void> clearAsync() {
    requireAll("clear");
    record(Mutation.clear());
    return CompletableFuture.completedFuture(null);
  }

  /* ---- What a view cannot do ---- */

  @Override
  public CompletableFuture<Void> syncBarrier() {
    return CompletableFuture.completedFuture(null); // the caller's future covers durability
  }

  @Override
  public CompletableFuture<Void> whenWritable() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public <R> CompletableFuture<R> atomically(List<byte[]> keys, Function<KvStore, R> work) {
    throw new IllegalStateException("atomically() does not nest");
  }

  @Override
  public CompletableFuture<Void> applyReplicated(WalRecord record) {
    throw new UnsupportedOperationException("a replica applies records outside atomically()");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("the view of atomically() is not closed by its work");
  }
}
