package io.kvdb.replication.internal;

import io.kvdb.core.EntryFunction;
import io.kvdb.core.KvStore;
import io.kvdb.core.ScanPage;
import io.kvdb.core.StoreStats;
import io.kvdb.core.Ttl;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.replication.DatasetLoadingException;
import io.kvdb.replication.ReadOnlyReplicaException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The one {@link KvStore} a replication node hands out, the same object through every change
 * underneath. Three things sit here because each must hold for every call a client makes: the store
 * underneath can be replaced (a full sync builds the new state in a store of its own and swaps it
 * in when it is complete); while the node is a slave every write throws {@link
 * ReadOnlyReplicaException} (the link applies its master's records to the store underneath); and a
 * master's writes pass its {@link WriteGate} (min-slaves, semi-synchronous acknowledgements).
 * Thread-safe: the current store is one volatile reference; a call that raced a swap ran against
 * the old store, which stays readable until it is closed right after.
 */
public final class NodeStore implements KvStore {
  private volatile KvStore current;
  private volatile boolean readOnly;
  private volatile boolean loading;
  private volatile WriteGate gate = WriteGate.OPEN;

  public NodeStore(KvStore initial, boolean readOnly) {
    this.current = initial;
    this.readOnly = readOnly;
  }

  /** The store underneath now. */
  public KvStore current() {
    return current;
  }

  /** Puts {@code next} in place and returns the store it replaced (the caller closes it). */
  public KvStore swap(KvStore next) {
    KvStore old = current;
    expiryFollowsRole(next, readOnly);
    current = next;
    return old;
  }

  /**
   * A replica's store must not remove expired keys on its own clock: its master's logged removals
   * reach it through the link. A master's store removes them (and logs the removal).
   */
  private static void expiryFollowsRole(KvStore s, boolean replica) {
    if (s instanceof StoreEngine engine) {
      engine.removeExpiredKeys(!replica);
    }
  }

  /**
   * While a full sync switches data directories the store underneath is closed and reopened: every
   * call then throws {@link DatasetLoadingException}, as Redis answers LOADING.
   */
  public void loading(boolean value) {
    loading = value;
  }

  /** What a master requires of its slaves around each write (see {@link WriteGate}). */
  public void gate(WriteGate value) {
    gate = value;
  }

  public void readOnly(boolean value) {
    readOnly = value;
    expiryFollowsRole(current, value);
  }

  public boolean readOnly() {
    return readOnly;
  }

  /** The store to write to, once the node's role and its slaves allow the write. */
  private KvStore writable() {
    if (readOnly) {
      throw new ReadOnlyReplicaException();
    }
    KvStore s = readable();
    gate.admit();
    return s;
  }

  /** Semi-synchronous writes wait for their slaves; others are returned as they are. */
  private <T> CompletableFuture<T> acknowledged(KvStore s, CompletableFuture<T> durable) {
    WriteGate g = gate;
    return g.semiSynchronous() ? g.acknowledge(durable, s.lastLsn()) : durable;
  }

  private void acknowledgedBlocking(KvStore s) {
    WriteGate g = gate;
    if (g.semiSynchronous()) {
      try {
        g.acknowledge(CompletableFuture.completedFuture(null), s.lastLsn()).join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }

  private KvStore readable() {
    if (loading) {
      throw new DatasetLoadingException();
    }
    return current;
  }

  @Override
  public byte[] get(byte[] key) {
    return readable().get(key);
  }

  @Override
  public int get(byte[] key, ByteBuffer into) {
    return readable().get(key, into);
  }

  @Override
  public List<byte[]> getAll(List<byte[]> keys) {
    return readable().getAll(keys);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    KvStore s = writable();
    s.put(key, value);
    acknowledgedBlocking(s);
  }

  @Override
  public boolean delete(byte[] key) {
    KvStore s = writable();
    boolean removed = s.delete(key);
    acknowledgedBlocking(s);
    return removed;
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
    KvStore s = writable();
    return acknowledged(s, s.putAsync(key, value));
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    KvStore s = writable();
    return acknowledged(s, s.deleteAsync(key));
  }

  @Override
  public <R> CompletableFuture<R> computeEntry(byte[] key, EntryFunction<R> function) {
    KvStore s = writable();
    return acknowledged(s, s.computeEntry(key, function));
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value, long expireAtMillis) {
    KvStore s = writable();
    return acknowledged(s, s.putAsync(key, value, expireAtMillis));
  }

  /**
   * On a master, an atomic operation like any write. On a replica, a read-only one: MULTI/EXEC of
   * reads works there as in Redis, and its view refuses every write (a replica's records come only
   * from its master).
   */
  @Override
  public <R> CompletableFuture<R> atomically(List<byte[]> keys, Function<KvStore, R> work) {
    if (readOnly) {
      return readable().atomically(keys, view -> work.apply(readOnlyView(view)));
    }
    KvStore s = writable();
    return acknowledged(s, s.atomically(keys, work));
  }

  private static final Set<String> READS =
      Set.of(
          "get",
          "getAll",
          "ttl",
          "scan",
          "size",
          "randomKey",
          "clock",
          "lastLsn",
          "syncBarrier",
          "whenWritable",
          "hashCode",
          "equals",
          "toString");

  /** {@code view} with every method but the reads throwing {@link ReadOnlyReplicaException}. */
  private static KvStore readOnlyView(KvStore view) {
    return (KvStore)
        Proxy.newProxyInstance(
            KvStore.class.getClassLoader(),
            new Class<?>[] {KvStore.class},
            (proxy, method, args) -> {
              if (!READS.contains(method.getName())) {
                throw new ReadOnlyReplicaException();
              }
              try {
                return method.invoke(view, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public Ttl ttl(byte[] key) {
    return readable().ttl(key);
  }

  @Override
  public byte[] randomKey() {
    return readable().randomKey();
  }

  @Override
  public Clock clock() {
    return current.clock();
  }

  @Override
  public StoreStats stats() {
    return current.stats();
  }

  @Override
  public CompletableFuture<Void> putAllAsync(List<byte[]> keysAndValues) {
    KvStore s = writable();
    return acknowledged(s, s.putAllAsync(keysAndValues));
  }

  @Override
  public CompletableFuture<Integer> deleteAllAsync(List<byte[]> keys) {
    KvStore s = writable();
    return acknowledged(s, s.deleteAllAsync(keys));
  }

  @Override
  public CompletableFuture<Void> clearAsync() {
    KvStore s = writable();
    return acknowledged(s, s.clearAsync());
  }

  @Override
  public ScanPage scan(long cursor, int count) {
    return readable().scan(cursor, count);
  }

  @Override
  public long size() {
    return readable().size();
  }

  @Override
  public CompletableFuture<Long> snapshot() {
    return current.snapshot();
  }

  /**
   * Never throws: a server asks for it after every read. While loading there is nothing newer to
   * wait for (the command itself answered LOADING, or read the old store just before).
   */
  @Override
  public CompletableFuture<Void> syncBarrier() {
    return loading ? CompletableFuture.completedFuture(null) : current.syncBarrier();
  }

  /** Never throws: a server asks for it before every command, to pause readers of writes. */
  @Override
  public CompletableFuture<Void> whenWritable() {
    return loading ? CompletableFuture.completedFuture(null) : current.whenWritable();
  }

  /** Refused: a replica's records come from its link, which applies them underneath. */
  @Override
  public CompletableFuture<Void> applyReplicated(WalRecord record) {
    throw new UnsupportedOperationException("records are applied by the replication link");
  }

  @Override
  public long lastLsn() {
    return readable().lastLsn();
  }

  /** Closing is the node's job: it closes the store underneath when it closes. */
  @Override
  public void close() {
    current.close();
  }
}
