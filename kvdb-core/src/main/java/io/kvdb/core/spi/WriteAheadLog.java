package io.kvdb.core.spi;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The durability SPI: a log of {@link WalRecord}s that a {@link io.kvdb.core.KvStore} writes before
 * it acknowledges a change. An implementation is owned by exactly one store, which calls {@link
 * #open} once, then {@link #append} for every accepted change, then {@link #close}.
 *
 * <h2>What the store guarantees</h2>
 *
 * <ul>
 *   <li>An operation that is rejected (bad argument, over a limit, store closed) is never handed to
 *       the log.
 *   <li>{@link #append} is called while the store holds the lock that orders writes to the record's
 *       key, and the change is applied in memory under the same lock. So for any one key, memory
 *       order equals LSN order.
 * </ul>
 *
 * <h2>What an implementation guarantees</h2>
 *
 * <ul>
 *   <li>{@link #append} assigns the next LSN (contiguous, starting after {@link #lastLsn()}), and
 *       records reach the log in LSN order.
 *   <li>The returned future completes only once the record is durable under the log's policy, and
 *       futures complete in LSN order. After a write or fsync failure every pending and later
 *       future fails and no further record is accepted.
 *   <li>Futures (of {@link #append}, {@link #appendAt}, {@link #whenDurable}, {@link
 *       #whenWritable}) are completed on none of the log's own threads that write or sync, and
 *       outside every lock of the log: a callback may call back into the store, even block on it,
 *       without stopping the log.
 *   <li>{@link #append} never blocks, on I/O or on memory: it runs under the store's shard lock.
 *       Memory is bounded by the caller: before taking its locks it waits on {@link #whenWritable},
 *       which stays incomplete while the queued records exceed the log's limit.
 *   <li>A record is one unit: a {@link RecordType#BATCH} record (a multi-key operation) is written,
 *       recovered and read by cursors whole or not at all, and takes one LSN.
 * </ul>
 *
 * <h2>Replication</h2>
 *
 * A replication source reads history with {@link #openCursor} and learns of new records through
 * {@link #addListener}; a replica writes records received from a master with {@link #appendAt},
 * keeping their original LSNs.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public interface WriteAheadLog extends AutoCloseable {

  /**
   * Recovers the log: loads the newest snapshot and replays every later record into {@code state},
   * then accepts appends. The log keeps {@code state} to take snapshots later.
   *
   * @return what recovery did
   * @throws IOException if the log cannot be read, or is corrupt before its tail
   */
  RecoveryReport open(StoreState state) throws IOException;

  /**
   * Assigns the next LSN to a record and queues it for writing.
   *
   * @return a future that completes when the record is durable under the log's policy
   * @throws LogFailedException if the log has failed
   * @throws IllegalStateException if the log is closed
   */
  CompletableFuture<Void> append(RecordType type, byte[] key, byte[] value, long expireAtMillis);

  /**
   * Queues a record that already has its LSN (a replica applying its master's log).
   *
   * @throws IllegalArgumentException if {@code record.lsn()} is not {@code lastLsn() + 1}
   * @throws IllegalStateException if the log is closed or has failed
   */
  CompletableFuture<Void> appendAt(WalRecord record);

  /** The LSN of the last record appended (0 when the log is empty). */
  long lastLsn();

  /**
   * A future that completes once the records queued for writing take no more than the log's limit
   * of pending bytes (at once when they already do, or when the log has failed: the next append
   * then throws). The default log has no limit.
   */
  default CompletableFuture<Void> whenWritable() {
    return CompletableFuture.completedFuture(null);
  }

  /** Bytes of records queued but not yet written (with an estimate of their object overhead). */
  default long pendingBytes() {
    return 0;
  }

  /**
   * Blocks until a future {@link #append} returned completes: what a blocking {@code put} does. A
   * log may wake the caller sooner than the future's own completion (which runs on another thread,
   * to keep callbacks off the writer), as long as the record is durable by then.
   *
   * @throws java.util.concurrent.CompletionException if the record could not be made durable
   */
  default void awaitDurable(CompletableFuture<?> appended) {
    appended.join();
  }

  /** Figures for monitoring; a log that keeps none reports its LSNs and pending bytes. */
  default LogStats stats() {
    return LogStats.basic(this);
  }

  /**
   * The last LSN fsynced: with a policy that acknowledges before the fsync, durable on the disk may
   * lag {@link #durableLsn}. A log that acknowledges only fsynced records says durableLsn.
   */
  default long syncedLsn() {
    return durableLsn();
  }

  /**
   * Completes once every record up to {@code lsn} is fsynced, asking for an fsync now if the policy
   * would not do one soon (WAITAOF, a snapshot's publication).
   */
  default CompletableFuture<Void> whenSynced(long lsn) {
    return whenDurable(lsn);
  }

  /**
   * The failure that stopped the log (a failed fsync: appends are refused from then on), or null
   * while it is healthy.
   */
  default Throwable failure() {
    return null;
  }

  /**
   * Writes a snapshot of the store now (a log that keeps none refuses).
   *
   * @return completes with the LSN the snapshot covers once it is published
   */
  default CompletableFuture<Long> snapshot() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(getClass().getSimpleName() + " takes no snapshots"));
  }

  /** Whether a snapshot is being written now. */
  default boolean snapshotInProgress() {
    return false;
  }

  /** When the last snapshot since the log opened was published (Unix ms), 0 if none was. */
  default long lastSnapshotMillis() {
    return 0;
  }

  /**
   * Why the log cannot write for now (no space left, a read-only file system), while it retries;
   * null while it writes. Records queued meanwhile wait; they are not lost.
   */
  default String stalled() {
    return null;
  }

  /** The highest LSN known durable under the log's policy. */
  long durableLsn();

  /**
   * After the log failed: whether {@code key}'s last write never became durable (its caller was
   * told it failed, but memory holds its value). The store then refuses to serve the key's value.
   * Called on every read: it must be cheap while the log is healthy (one volatile read). A log that
   * cannot tell says false.
   */
  default boolean lostWriteOf(byte[] key) {
    return false;
  }

  /** A future that completes when every record up to {@code lsn} is durable. */
  CompletableFuture<Void> whenDurable(long lsn);

  /**
   * Opens a cursor over the records from {@code fromLsn} on, as far as they have been written.
   *
   * @throws HistoryUnavailableException if records from {@code fromLsn} have been compacted away
   */
  LogCursor openCursor(long fromLsn) throws IOException;

  /**
   * Registers a listener told the LSN of each durable group of records, on the log's writer thread.
   * A listener must return quickly and never block or call into the store; one that throws is
   * logged and removed, and the log goes on.
   */
  void addListener(DurableListener listener);

  /** Removes a listener registered with {@link #addListener}. */
  void removeListener(DurableListener listener);

  /**
   * The oldest LSN a cursor can still read: what a replica that is behind may continue from (Redis'
   * {@code repl_backlog_first_byte_offset}). A log that keeps its whole history says 1.
   */
  default long firstRetainedLsn() {
    return 1;
  }

  /** The most bytes of history kept for replicas that are behind (Redis' backlog size). */
  default long maxRetainedBytes() {
    return Long.MAX_VALUE;
  }

  /**
   * Whether this log follows a master's history: its records arrived from a master and it has
   * appended none of its own since (see {@link #adoptHistory}). A node promoted to master forks a
   * follower's history before it appends.
   */
  default boolean follower() {
    return false;
  }

  /**
   * Asks the log to keep its history from the LSN {@code fromLsn} reports (read at each compaction)
   * for a replica that still needs it. A log may bound what it keeps by size, so a replica that
   * falls too far behind still meets {@link HistoryUnavailableException}. Closing the handle
   * releases the hold. The default keeps nothing.
   */
  default AutoCloseable retainHistory(LongSupplier fromLsn) {
    return () -> {};
  }

  /**
   * The history this log's LSNs belong to (see {@link LogHistory}).
   *
   * @throws UnsupportedOperationException if the log keeps no history (then it cannot replicate)
   */
  default LogHistory history() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no history id");
  }

  /**
   * Makes {@link #append} (a record of this node's own) throw what {@code refusal} supplies, or
   * accept again with null, while {@link #appendAt} (a master's record) goes on: a replica's log
   * takes only its master's records. Atomic with appends: each either got its LSN before this
   * returned or is refused.
   */
  default void refuseLocalAppends(Supplier<? extends RuntimeException> refusal) {
    throw new UnsupportedOperationException("this log cannot follow a master");
  }

  /**
   * Starts a new history at the current last LSN, remembering the current one as previous: what a
   * replica does when it is promoted, so that LSNs it hands out from now on are never taken for its
   * old master's. Durable before it returns.
   */
  default LogHistory forkHistory() throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no history id");
  }

  /**
   * Takes on a master's history: a replica whose log holds a prefix of {@code history} (it checked
   * that with {@link LogHistory#contains}) follows it from now on. Durable before it returns.
   */
  default void adoptHistory(LogHistory history) throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no history id");
  }

  /** Writes, fsyncs and closes every file; completes or fails every pending future. Idempotent. */
  @Override
  void close() throws IOException;

  /** Told when records up to an LSN are durable. Must return quickly and never block. */
  @FunctionalInterface
  interface DurableListener {
    void durableUpTo(long lsn);
  }
}
