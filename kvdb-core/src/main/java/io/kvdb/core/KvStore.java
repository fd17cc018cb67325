package io.kvdb.core;

import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.spi.WalRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An embeddable key-value store with binary-safe keys and values.
 *
 * <p>Keys and values are {@code byte[]}; the {@code String} overloads encode and decode UTF-8. The
 * empty key is a valid key. The store never shares arrays with its caller: values passed in are
 * copied, values returned are fresh copies. {@code null} arguments are rejected with a {@link
 * NullPointerException} naming the argument.
 *
 * <p><b>Durability.</b> A store built with a {@link io.kvdb.core.spi.WriteAheadLog} makes a write
 * visible in memory at once and reports it complete only when the log's fsync policy is met: {@link
 * #put} returns, and the future of {@link #putAsync} completes, only then. A store from {@link
 * #inMemory()} has no log and completes writes immediately.
 *
 * <p><b>Isolation.</b>
 *
 * <ul>
 *   <li>Every single-key operation ({@link #get}, {@link #put}, {@link #delete}, their async forms,
 *       {@link #compute}) is linearizable.
 *   <li>{@link #putAllAsync}, {@link #deleteAllAsync} and {@link #clearAsync} are atomic: no reader
 *       sees part of one, and the log holds each as one record, so neither recovery nor a replica
 *       ever shows part of one either.
 *   <li>{@link #getAll} is isolated: the values it returns all existed together at one instant
 *       (serializable with respect to every write).
 *   <li>{@link #scan} and {@link #size} read without stopping writers: weakly consistent, like
 *       Redis' SCAN and a concurrent map's size.
 * </ul>
 *
 * Operations on keys in different shards never wait for each other.
 *
 * <p><b>Callbacks.</b> Durability futures complete on a thread of the log's that holds no lock of
 * the store or the log, so a callback ({@code whenComplete}, {@code thenRun}, ...) may call any
 * method of the store, blocking ones included.
 *
 * <p><b>Back-pressure.</b> With a log, memory for records not yet written is bounded ({@code
 * maxPendingBytes} of the log). Past it the blocking writes ({@link #put}, {@link #delete}) wait,
 * and so do the async ones (they block the calling thread until the log has room, like a bounded
 * queue's {@code put}), unless the store was built with {@link
 * KvStoreBuilder#asyncWritesWaitForLog(boolean) asyncWritesWaitForLog(false)}: then they never
 * block, and the caller pauses its producers on {@link #whenWritable()} instead.
 *
 * <p><b>Thread safety.</b> All methods are thread-safe. Any use after {@link #close()} throws
 * {@link IllegalStateException}.
 */
public interface KvStore extends AutoCloseable {

  /** A store with no persistence, default shard count and default limits. */
  static KvStore inMemory() {
    return builder().build();
  }

  /** A builder for a store; see {@link KvStoreBuilder} for the options and their defaults. */
  static KvStoreBuilder builder() {
    return new KvStoreBuilder();
  }

  /**
   * Returns a copy of the value stored under {@code key}, or {@code null} when the key is absent.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if the store is closed
   */
  byte[] get(byte[] key);

  /**
   * Returns copies of the values of {@code keys}, in order, with {@code null} for absent keys. The
   * values all existed together at one instant: a concurrent {@link #putAllAsync} is seen whole or
   * not at all.
   *
   * @throws NullPointerException if the list or a key is null
   * @throws IllegalStateException if the store is closed
   */
  List<byte[]> getAll(List<byte[]> keys);

  /**
   * Stores {@code value} under {@code key}, replacing any previous value, and returns once the
   * write is durable under the WAL's fsync policy.
   *
   * @throws NullPointerException if an argument is null
   * @throws LimitExceededException if the key or value is larger than the configured limit
   * @throws DurabilityException if the log could not make the write durable
   * @throws IllegalStateException if the store is closed
   */
  void put(byte[] key, byte[] value);

  /**
   * Removes {@code key} and returns once the removal is durable.
   *
   * @return true when a key was removed
   * @throws DurabilityException if the log could not make the removal durable
   */
  boolean delete(byte[] key);

  /**
   * Stores {@code value} under {@code key}. The change is visible to readers when this method
   * returns; the future completes when it is durable, or exceptionally with a {@link
   * DurabilityException}. Argument errors are thrown directly, never through the future.
   */
  CompletableFuture<Void> putAsync(byte[] key, byte[] value);

  /** Removes {@code key}; the future completes with whether a key was removed, once durable. */
  CompletableFuture<Boolean> deleteAsync(byte[] key);

  /**
   * Atomically reads the current value of {@code key}, lets {@code function} decide what to write,
   * and applies that decision. The function runs under the key's shard lock: keep it short and
   * never call back into this store from it. If it throws, nothing is written or logged and the
   * exception propagates to the caller.
   *
   * @return the function's result, completed when the write (if any) is durable
   */
  <R> CompletableFuture<R> compute(byte[] key, KeyFunction<R> function);

  /**
   * Stores several pairs atomically: no reader sees some of them without the others.
   *
   * @param keysAndValues key, value, key, value, ...
   */
  CompletableFuture<Void> putAllAsync(List<byte[]> keysAndValues);

  /**
   * Removes several keys atomically.
   *
   * @return the number of keys that existed, completed when durable
   */
  CompletableFuture<Integer> deleteAllAsync(List<byte[]> keys);

  /** Removes every key atomically; completes when durable. */
  CompletableFuture<Void> clearAsync();

  /**
   * Iterates the keyspace a page at a time, in the manner of Redis SCAN: start with cursor 0 and
   * pass each returned cursor back until it is 0 again. Every key present for the whole iteration
   * is returned at least once; a key may be returned more than once.
   *
   * @param count a hint for how many keys one page returns
   */
  ScanPage scan(long cursor, int count);

  /** The number of keys, read without stopping writers. */
  long size();

  /**
   * A future that completes when every write that was visible before this call is durable. Lets a
   * server hold a read's reply until it reveals nothing a crash could take back.
   */
  CompletableFuture<Void> syncBarrier();

  /**
   * Applies a record received from a replication master, with its original LSN. The record's LSN
   * must be the next one after this store's last LSN.
   *
   * @return a future that completes when the record is durable locally
   * @throws IllegalArgumentException if the LSN is not the next one
   */
  CompletableFuture<Void> applyReplicated(WalRecord record);

  /**
   * A future that completes when the log has room for more writes: its queued bytes are within its
   * limit. Complete at once for a store without a log. A producer that must never block (an event
   * loop) stops producing until it completes.
   */
  CompletableFuture<Void> whenWritable();

  /** The LSN of the last write handed to the log, or 0 for a store without a log. */
  long lastLsn();

  /** Flushes the log, releases files and threads. Idempotent. */
  @Override
  void close();

  /** UTF-8 convenience for {@link #get(byte[])}. */
  default String get(String key) {
    byte[] value = get(utf8(key, "key"));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** UTF-8 convenience for {@link #put(byte[], byte[])}. */
  default void put(String key, String value) {
    put(utf8(key, "key"), utf8(value, "value"));
  }

  /** UTF-8 convenience for {@link #delete(byte[])}. */
  default boolean delete(String key) {
    return delete(utf8(key, "key"));
  }

  private static byte[] utf8(String s, String name) {
    if (s == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Creates the default implementation; used by the builder. */
  static KvStore create(KvStoreBuilder builder) {
    return ShardedKvStore.open(builder);
  }
}
