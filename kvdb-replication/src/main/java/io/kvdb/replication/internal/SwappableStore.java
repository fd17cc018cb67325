package io.kvdb.replication.internal;

import io.kvdb.core.KeyFunction;
import io.kvdb.core.KvStore;
import io.kvdb.core.ScanPage;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.replication.DatasetLoadingException;
import io.kvdb.replication.ReadOnlyReplicaException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one {@link KvStore} a replication node hands out, whose store underneath can be replaced: a
 * full sync builds the new state in a store of its own and swaps it in when it is complete. While
 * the node is a replica every write throws {@link ReadOnlyReplicaException}; the replication link
 * applies its master's records to the store underneath. Thread-safe: the current store is one
 * volatile reference; a call that raced a swap ran against the old store, which stays readable
 * until it is closed right after.
 */
public final class SwappableStore implements KvStore {
  private volatile KvStore current;
  private volatile boolean readOnly;
  private volatile boolean loading;

  public SwappableStore(KvStore initial, boolean readOnly) {
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
    current = next;
    return old;
  }

  /**
   * While a full sync switches data directories the store underneath is closed and reopened: every
   * call then throws {@link DatasetLoadingException}, as Redis answers LOADING.
   */
  public void loading(boolean value) {
    loading = value;
  }

  public void readOnly(boolean value) {
    readOnly = value;
  }

  public boolean readOnly() {
    return readOnly;
  }

  private KvStore writable() {
    if (readOnly) {
      throw new ReadOnlyReplicaException();
    }
    return readable();
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
  public List<byte[]> getAll(List<byte[]> keys) {
    return readable().getAll(keys);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    writable().put(key, value);
  }

  @Override
  public boolean delete(byte[] key) {
    return writable().delete(key);
  }

  @Override
  public CompletableFuture<Void> putAsync(byte[] key, byte[] value) {
    return writable().putAsync(key, value);
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(byte[] key) {
    return writable().deleteAsync(key);
  }

  @Override
  public <R> CompletableFuture<R> compute(byte[] key, KeyFunction<R> function) {
    return writable().compute(key, function);
  }

  @Override
  public CompletableFuture<Void> putAllAsync(List<byte[]> keysAndValues) {
    return writable().putAllAsync(keysAndValues);
  }

  @Override
  public CompletableFuture<Integer> deleteAllAsync(List<byte[]> keys) {
    return writable().deleteAllAsync(keys);
  }

  @Override
  public CompletableFuture<Void> clearAsync() {
    return writable().clearAsync();
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
  public CompletableFuture<Void> syncBarrier() {
    return readable().syncBarrier();
  }

  @Override
  public CompletableFuture<Void> whenWritable() {
    return readable().whenWritable();
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
