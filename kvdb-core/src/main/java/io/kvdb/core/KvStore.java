package io.kvdb.core;

import io.kvdb.core.spi.WalRecord;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

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
 *   <li>{@link #atomically} runs any sequence of reads and writes over a set of keys as one
 *       serializable unit, logged as one record (what a server's MULTI/EXEC uses).
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
 * <p><b>Expiry.</b> A key may have an absolute expiry time ({@link #putAsync(byte[], byte[],
 * long)}, {@link #expire}, {@link #computeEntry}). Once {@link #clock()} passes it the key is gone
 * for every read, to the millisecond — {@link #get}, {@link #getAll}, {@link #scan}, {@link #size},
 * {@link #ttl} and snapshots — and its memory is reclaimed by a background expirer (a bounded
 * amount of work per tick) or by the next write that touches it. Each reclaim is logged as a
 * delete, so replicas follow their master's clock, never their own: a store applying a master's
 * records ({@link #applyReplicated}) hides expired keys from readers but never removes them itself.
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
   * Copies the value stored under {@code key} into {@code into} (at its position, which advances by
   * the value's length) when it fits in {@code into}'s remaining bytes; allocates nothing. When it
   * does not fit, or the key is absent, the position stays (the bytes past it may have been
   * overwritten): the returned length says how much room to make. The value read is one the key
   * held at one instant, as {@link #get(byte[])}.
   *
   * @return the value's length, or -1 when the key is absent
   * @throws NullPointerException if {@code key} or {@code into} is null
   * @throws java.nio.ReadOnlyBufferException if {@code into} is read-only
   * @throws IllegalStateException if the store is closed
   */
  default int get(byte[] key, ByteBuffer into) {
    if (into.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    byte[] v = get(key);
    if (v == null) {
      return -1;
    }
    if (v.length <= into.remaining()) {
      into.put(v);
    }
    return v.length;
  }

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
   * Like {@link #compute}, but the function also sees the key's expiry and may set it ({@link
   * KeyFunction.Decision#expire}, or a PUT with an expiry or {@link
   * KeyFunction.Decision#KEEP_TTL}). An expired key is absent to the function; if the function
   * keeps or deletes it, its memory is reclaimed (and the removal logged) at once.
   *
   * @return the function's result, completed when the write (if any) is durable
   */
  <R> CompletableFuture<R> computeEntry(byte[] key, EntryFunction<R> function);

  /**
   * Stores {@code value} under {@code key}, expiring at {@code expireAtMillis} (absolute Unix
   * milliseconds; 0 for no expiry, like {@link #putAsync(byte[], byte[])}). An expiry already past
   * removes the key instead. As Redis' SET, it replaces any earlier expiry.
   */
  CompletableFuture<Void> putAsync(byte[] key, byte[] value, long expireAtMillis);

  /**
   * The key's time to live: {@link Ttl#exists()} false when it is absent or expired, {@link
   * Ttl#expires()} false when it has no expiry.
   */
  Ttl ttl(byte[] key);

  /** A key chosen at random among those that exist (not uniformly), or null when there is none. */
  byte[] randomKey();

  /**
   * The clock expiry is measured against: a key expiring at {@code t} is gone once {@code
   * clock().millis() > t}, exactly, for every read.
   */
  Clock clock();

  /**
   * Runs {@code work} as one atomic operation over {@code keys} (null: the whole store), the way
   * Redis runs MULTI/EXEC: {@code work} gets a view of this store on which it reads and writes
   * those keys; no other operation sees or interleaves with any of it, and everything it writes is
   * logged as one record, so recovery and replicas see all of it or none. The view's futures are
   * complete when its methods return; the returned future completes, with {@code work}'s result,
   * when the writes are durable. If {@code work} throws, its writes so far are undone and nothing
   * is logged.
   *
   * <p>The view refuses keys outside {@code keys} ({@link IllegalArgumentException}), blocking
   * waits, nested {@code atomically} and {@code close}. {@code work} runs under the locks of every
   * shard the keys live in: keep it short and never use this store (rather than the view) from it.
   */
  <R> CompletableFuture<R> atomically(List<byte[]> keys, Function<KvStore, R> work);

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
   * Writes a snapshot of the store through its write-ahead log now, while writes go on, so that a
   * restart replays only what came after it (the log deletes the segments it covers).
   *
   * @return completes with the LSN the snapshot covers once it is published; fails for a store
   *     without a log, or whose log keeps no snapshots
   */
  default CompletableFuture<Long> snapshot() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this store takes no snapshots"));
  }

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

  /**
   * The store's figures — keys, expiry, memory, and its log's — read without stopping writers, for
   * an application to export with its own metrics registry.
   */
  StoreStats stats();

  /** The LSN of the last write handed to the log, or 0 for a store without a log. */
  long lastLsn();

  /** Flushes the log, releases files and threads. Idempotent. */
  @Override
  void close();

  /**
   * Atomically reads the current value of {@code key}, lets {@code function} decide what to write,
   * and applies that decision. The function runs under the key's shard lock: keep it short and
   * never call back into this store from it. If it throws, nothing is written or logged and the
   * exception propagates to the caller. A PUT it decides clears the key's expiry (see {@link
   * #computeEntry} to keep or set one).
   *
   * @return the function's result, completed when the write (if any) is durable
   */
  default <R> CompletableFuture<R> compute(byte[] key, KeyFunction<R> function) {
    Objects.requireNonNull(function, "function must not be null");
    return computeEntry(key, (value, expireAt) -> function.apply(value));
  }

  /**
   * Stores {@code value} under {@code key} for {@code ttl}, then returns once durable.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  default void put(byte[] key, byte[] value, Duration ttl) {
    join(putAsync(key, value, ttl));
  }

  /** Stores {@code value} under {@code key} for {@code ttl} (positive); completes when durable. */
  default CompletableFuture<Void> putAsync(byte[] key, byte[] value, Duration ttl) {
    return putAsync(key, value, expiryFor(ttl));
  }

  /**
   * Makes {@code key} expire after {@code ttl}; returns once durable.
   *
   * @return false when the key does not exist
   */
  default boolean expire(byte[] key, Duration ttl) {
    return expire(key, ttl, ExpireCondition.ALWAYS);
  }

  /**
   * Makes {@code key} expire after {@code ttl} if {@code condition} allows; a {@code ttl} of zero
   * or less removes the key (if the condition allows). Returns once durable.
   *
   * @return whether the expiry was set (or the key removed)
   */
  default boolean expire(byte[] key, Duration ttl, ExpireCondition condition) {
    Objects.requireNonNull(ttl, "ttl must not be null");
    long now = clock().millis();
    long at = ttl.isNegative() || ttl.isZero() ? now - 1 : saturatedAdd(now, ttl);
    return join(expireAtAsync(key, at, condition));
  }

  /** Makes {@code key} expire at {@code at}; an instant in the past removes it. */
  default boolean expireAt(byte[] key, Instant at) {
    return expireAt(key, at, ExpireCondition.ALWAYS);
  }

  /** Makes {@code key} expire at {@code at} if {@code condition} allows; returns once durable. */
  default boolean expireAt(byte[] key, Instant at, ExpireCondition condition) {
    Objects.requireNonNull(at, "at must not be null");
    return join(expireAtAsync(key, Math.max(1, at.toEpochMilli()), condition));
  }

  /**
   * Sets the expiry of {@code key} to {@code expireAtMillis} (absolute Unix milliseconds, at least
   * 1) if it exists and {@code condition} allows; an expiry already past removes the key.
   *
   * @return whether the expiry was set or the key removed, completed when durable
   */
  default CompletableFuture<Boolean> expireAtAsync(
      byte[] key, long expireAtMillis, ExpireCondition condition) {
    Objects.requireNonNull(condition, "condition must not be null");
    if (expireAtMillis < 1) {
      throw new IllegalArgumentException(
          "expireAtMillis must be a Unix time in milliseconds, got " + expireAtMillis);
    }
    return computeEntry(
        key,
        (value, current) ->
            value != null && condition.allows(current, expireAtMillis)
                ? KeyFunction.Decision.expire(expireAtMillis, Boolean.TRUE)
                : KeyFunction.Decision.keep(Boolean.FALSE));
  }

  /**
   * Removes the expiry of {@code key}; returns once durable.
   *
   * @return whether the key existed and had an expiry
   */
  default boolean persist(byte[] key) {
    return join(persistAsync(key));
  }

  /** Removes the expiry of {@code key}; completes with whether it had one, when durable. */
  default CompletableFuture<Boolean> persistAsync(byte[] key) {
    return computeEntry(
        key,
        (value, current) ->
            value != null && current != 0
                ? KeyFunction.Decision.expire(0, Boolean.TRUE)
                : KeyFunction.Decision.keep(Boolean.FALSE));
  }

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

  /** UTF-8 convenience for {@link #put(byte[], byte[], Duration)}. */
  default void put(String key, String value, Duration ttl) {
    put(utf8(key, "key"), utf8(value, "value"), ttl);
  }

  /** UTF-8 convenience for {@link #ttl(byte[])}. */
  default Ttl ttl(String key) {
    return ttl(utf8(key, "key"));
  }

  private long expiryFor(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl must not be null");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    return saturatedAdd(clock().millis(), ttl);
  }

  private static long saturatedAdd(long nowMillis, Duration ttl) {
    try {
      return Math.addExact(nowMillis, ttl.toMillis());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Waits for a write's future, reporting a failure as {@link DurabilityException}. */
  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r && !(cause instanceof CompletionException)) {
        throw r;
      }
      throw new DurabilityException("the write could not be made durable: " + cause, cause);
    }
  }

  private static byte[] utf8(String s, String name) {
    if (s == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
