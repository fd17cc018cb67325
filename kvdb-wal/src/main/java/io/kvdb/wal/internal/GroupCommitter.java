package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogStalledException;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog.DurableListener;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.WalFaults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns LSNs, and writes and syncs records in groups on one writer thread.
 *
 * <h2>Ordering</h2>
 *
 * {@link #append} assigns the next LSN and queues the record under one short lock, so queue order
 * is LSN order and LSNs are contiguous. The writer takes records in queue order, so file order is
 * LSN order too. A multi-key operation is one record (a BATCH), so no group boundary can split it.
 *
 * <h2>Group commit</h2>
 *
 * The writer drains what is queued (up to {@code batchSize} records). While more records keep
 * arriving it keeps draining, until the group holds {@code batchSize} records or {@code
 * batchTimeout} has passed; it never waits when the queue is empty. Then: the group goes into the
 * file ({@link SegmentWriter}), one fdatasync (ALWAYS), and the group is handed to the completion
 * thread ({@link DurabilityWaiters}). Records that arrive during the fsync form the next group, so
 * concurrent writers share fsyncs without anyone sleeping. Durable listeners are ours (replication,
 * the server) and run on the writer thread; one that throws is logged and removed.
 *
 * <h2>Memory</h2>
 *
 * The bytes of queued records (with their object overhead) are counted; while they exceed {@code
 * maxPendingBytes}, {@link #whenWritable} stays incomplete and writers wait on it. {@link #append}
 * itself never blocks: it runs under the store's shard lock. Written records drop their key and
 * value at once.
 *
 * <h2>Forced syncs</h2>
 *
 * With EVERYSEC or NEVER, {@link #whenSynced} asks the writer to fsync what it has written now: a
 * snapshot is published only after every record it may contain is on disk.
 *
 * <h2>Failure</h2>
 *
 * A failed <em>fsync</em> is final: every queued and later future fails, appends are refused, and
 * the writer stops. Retrying an fsync after a failure and reporting success could acknowledge data
 * the kernel already dropped (fsyncgate).
 *
 * <p>A failed <em>write</em> (no space left, a read-only file system) is not: nothing of the group
 * was acknowledged, and the kernel was never told the bytes were wanted. The writer cuts the
 * segment back to the last good record, keeps the group, and retries every second ({@link
 * #RETRY_NANOS}); meanwhile {@link #stalled()} says why, the node's own appends are refused with
 * {@link LogStalledException} (a replica's {@link #appendAt} queue up to {@code maxPendingBytes},
 * then wait on {@link #whenWritable}), and the group's futures wait. When a retry succeeds the log
 * goes on as if nothing happened: no restart, no lost or duplicated record.
 */
public final class GroupCommitter {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
  private static final long EVERYSEC_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** How often a write that failed is tried again. */
  static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** What the committer tells its owner. Called on the writer thread. */
  public interface Events {
    /** A new segment was created and is now the active one. */
    void segmentCreated(long firstLsn, Path file);

    /** {@code bytes} more bytes were written to the log. */
    void bytesWritten(long bytes);
  }

  /** The settings the committer runs with. */
  public record Settings(
      FsyncPolicy policy,
      int batchSize,
      long batchTimeoutNanos,
      long segmentSize,
      long maxPendingBytes,
      WalFaults faults) {}

  private final String name;
  private final Settings settings;
  private final FsyncPolicy policy;
  private final List<DurableListener> listeners = new CopyOnWriteArrayList<>();

  private final RecordQueue queue;
  private volatile long durableLsn; // written: durable under the policy
  private volatile long syncedLsn; // fsynced
  private volatile boolean failed; // the log failed: read without a lock
  private final Thread writer;
  private final SegmentWriter files; // writer thread only (and close, after the writer ended)
  private final DurabilityWaiters waiters;
  private final CommitMetrics metrics = new CommitMetrics();
  private final LostWrites lostWrites = new LostWrites();

  public GroupCommitter(
      String name,
      Path dir,
      ActiveSegment segment,
      long lastLsn,
      Settings settings,
      Events events) {
    this.name = name;
    this.settings = settings;
    this.policy = settings.policy();
    this.files = new SegmentWriter(name, dir, segment, settings, events, metrics);
    this.queue = new RecordQueue(dir, settings.batchSize(), lastLsn);
    this.durableLsn = lastLsn;
    this.syncedLsn = lastLsn;
    this.waiters =
        new DurabilityWaiters(
            name,
            lastLsn,
            () -> syncedLsn,
            () -> queue.pendingBytes() <= settings.maxPendingBytes());
    this.writer = new Thread(() -> run(events), "kvdb-wal-writer[" + name + "]");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /* ---- Producer side (any thread, never blocks) ---- */

  public CompletableFuture<Void> append(RecordType type, byte[] key, byte[] value, long expireAt) {
    Pending p = queue.append(type, key, value, expireAt);
    wakeWriter();
    return p;
  }

  public CompletableFuture<Void> appendAt(WalRecord r) {
    Pending p = queue.appendAt(r);
    wakeWriter();
    return p;
  }

  /** Why the log cannot write for now (no space left...): retried every second; null when fine. */
  public String stalled() {
    return queue.stalled();
  }

  /**
   * From now on {@link #append} (a record of this node's own) throws what {@code refusal} supplies,
   * until called with null; {@link #appendAt} (a master's record) goes on. Under the queue's lock,
   * so an append either got its LSN before this returned or is refused: a role change never lets a
   * local record in after it.
   */
  public void refuseLocalAppends(Supplier<? extends RuntimeException> refusal) {
    queue.refuseLocalAppends(refusal);
  }

  public long lastLsn() {
    return queue.lastLsn();
  }

  /** The last LSN written and durable under the policy (what cursors may read). */
  public long durableLsn() {
    return durableLsn;
  }

  /** The last LSN fsynced. */
  public long syncedLsn() {
    return syncedLsn;
  }

  public long pendingBytes() {
    return queue.pendingBytes();
  }

  public CompletableFuture<Void> whenDurable(long lsn) {
    return waiters.whenDurable(lsn);
  }

  /**
   * Blocks until a record {@link #append} returned is durable. A thread blocked in a store's {@code
   * put} is woken by the writer itself as soon as its group is durable, without waiting for the
   * completion thread: one hand-off instead of two. (It sets {@code waiter} before reading {@code
   * durableLsn}; the writer writes {@code durableLsn} before reading {@code waiter}; both volatile,
   * so one of them sees the other.) Any other future, or a failure, goes through {@code join}.
   *
   * @throws java.util.concurrent.CompletionException if the record could not be made durable
   */
  public void awaitDurable(CompletableFuture<?> appended) {
    if (appended instanceof Pending p && !p.isDone()) {
      p.waiter = Thread.currentThread();
      while (durableLsn < p.lsn && !p.isDone() && !failed) {
        LockSupport.park(this);
      }
      if (durableLsn >= p.lsn && !failed) {
        return;
      }
    }
    appended.join();
  }

  /**
   * Completes once every record up to {@code lsn} is fsynced, asking the writer for an fsync now if
   * its policy would not do one soon (EVERYSEC, NEVER).
   */
  public CompletableFuture<Void> whenSynced(long lsn) {
    CompletableFuture<Void> f = waiters.whenSynced(lsn);
    if (!f.isDone()) {
      queue.requestSync(lsn);
      LockSupport.unpark(writer);
    }
    return f;
  }

  /** Completes once the queued records are within {@code maxPendingBytes} (see the class note). */
  public CompletableFuture<Void> whenWritable() {
    if (queue.pendingBytes() <= settings.maxPendingBytes()) {
      return CompletableFuture.completedFuture(null);
    }
    return waiters.whenWritable();
  }

  /** What the writer measured (groups, records, fsyncs and their distributions). */
  public CommitMetrics metrics() {
    return metrics;
  }

  public void addListener(DurableListener l) {
    listeners.add(l);
  }

  public void removeListener(DurableListener l) {
    listeners.remove(l);
  }

  /** The failure that stopped the log, or null. */
  public Throwable failure() {
    return queue.failure();
  }

  /**
   * After a failure: whether {@code key} was written by a record that never became durable (its
   * client was told the write failed, but memory may hold it). Reads of such a key must not show
   * it; false while the log is healthy.
   */
  public boolean lost(byte[] key) {
    return failed && lostWrites.contains(key);
  }

  private void wakeWriter() {
    if (queue.consumerParked()) {
      LockSupport.unpark(writer);
    }
  }

  /* ---- Writer thread ---- */

  private void run(Events events) {
    List<Pending> group = new ArrayList<>();
    try {
      while (true) {
        if (!drain(group)) {
          break;
        }
        if (group.isEmpty()) {
          syncIfDue();
          continue;
        }
        long groupStart = System.nanoTime();
        while (group.size() < settings.batchSize()
            && settings.batchTimeoutNanos() > 0
            && System.nanoTime() - groupStart < settings.batchTimeoutNanos()
            && queue.takeMore(group)) {
          Thread.onSpinWait();
        }
        writeGroupRetrying(group, events);
        group = new ArrayList<>();
      }
      files.seal();
      syncedLsn = durableLsn;
      files.close();
      waiters.progressed();
    } catch (IOException | RuntimeException | Error e) {
      fail(e, group);
    }
  }

  /**
   * Moves up to {@code batchSize} queued records into {@code group}, parking while there are none.
   *
   * @return false when the log is closing and everything queued was written
   */
  private boolean drain(List<Pending> group) {
    while (true) {
      RecordQueue.Take took = queue.take(group, syncedLsn, files.unsynced());
      if (took == RecordQueue.Take.CLOSED) {
        return false;
      }
      if (took != RecordQueue.Take.EMPTY) {
        return true; // records, or an empty group after a sync request: the caller syncs
      }
      if (policy == FsyncPolicy.EVERYSEC && files.unsynced()) {
        long due = EVERYSEC_NANOS - files.nanosSinceSync();
        if (due <= 0) {
          queue.unparked();
          return true; // empty group: the caller syncs
        }
        LockSupport.parkNanos(this, due);
      } else {
        LockSupport.parkNanos(this, EVERYSEC_NANOS);
      }
      queue.unparked();
    }
  }

  /**
   * Writes a group; a write that fails (not an fsync) cuts the segment back to the last good record
   * and is retried every second until it succeeds or the log closes (see the class note).
   */
  private void writeGroupRetrying(List<Pending> group, Events events) throws IOException {
    while (true) {
      SegmentWriter.Mark mark = files.mark();
      try {
        writeGroup(group, events);
        if (queue.stalled() != null) {
          log.warn("[wal {}] writing works again: the log goes on at LSN {}", name, durableLsn);
          queue.stalled(null);
        }
        return;
      } catch (SyncFailedException e) {
        throw e; // final
      } catch (IOException e) {
        if (queue.closing() || !SegmentWriter.mayGoAway(e)) {
          throw e;
        }
        try {
          files.cutBack(mark);
        } catch (IOException cannotCut) {
          e.addSuppressed(cannotCut);
          throw e; // the file holds a part we cannot remove: final
        }
        if (queue.stalled() == null) {
          log.error(
              "[wal {}] writing failed ({}); cut back to the last good record (LSN {}), refusing"
                  + " new writes and retrying every second",
              name,
              e.toString(),
              durableLsn);
        }
        queue.stalled(e.getMessage() == null ? e.toString() : e.getMessage());
        LockSupport.parkNanos(this, RETRY_NANOS);
      }
    }
  }

  private void writeGroup(List<Pending> group, Events events) throws IOException {
    if (files.rotateIfFull(group.get(0).lsn)) {
      syncedLsn = durableLsn;
    }
    long bytes = files.write(group);
    long last = group.get(group.size() - 1).lsn;
    if (policy == FsyncPolicy.ALWAYS) {
      files.sync();
      syncedLsn = last;
    }
    metrics.groupWritten(group.size());
    durableLsn = last;
    long held = 0;
    for (Pending p : group) {
      held += p.pendingBytes();
      p.written();
      Thread w = p.waiter; // read after durableLsn was written: see awaitDurable
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
    queue.written(held);
    tellListeners(last);
    waiters.groupWritten(group, last);
    events.bytesWritten(bytes);
    syncIfDue();
  }

  private void tellListeners(long last) {
    for (DurableListener l : listeners) {
      try {
        l.durableUpTo(last);
      } catch (RuntimeException e) {
        listeners.remove(l);
        log.error("[wal {}] a durable listener threw and was removed: {}", name, e.toString());
      }
    }
  }

  private void syncIfDue() throws IOException {
    if (!files.unsynced()) {
      return;
    }
    if (queue.syncRequestedBeyond(syncedLsn)
        || (policy == FsyncPolicy.EVERYSEC && files.nanosSinceSync() >= EVERYSEC_NANOS)) {
      files.sync();
      syncedLsn = durableLsn;
      waiters.progressed();
    }
  }

  private void fail(Throwable e, List<Pending> group) {
    log.error("[wal {}] write-ahead log failed; refusing further writes: {}", name, e.toString());
    List<Pending> queued = queue.fail(e);
    lostWrites.remember(group);
    lostWrites.remember(queued);
    failed = true;
    List<Pending> toFail = new ArrayList<>(group);
    toFail.addAll(queued);
    for (Pending p : toFail) {
      Thread w = p.waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
    waiters.fail(queue.failedException(), toFail);
    try {
      files.close();
    } catch (IOException closeFailure) {
      e.addSuppressed(closeFailure);
    }
  }

  /**
   * Stops accepting records, writes and fsyncs everything queued, waits for the writer to end and
   * for every completion to run.
   *
   * @return false if that did not happen within the timeout
   */
  public boolean close(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    queue.close();
    waiters.closing();
    LockSupport.unpark(writer);
    writer.join(timeoutMillis);
    boolean completed = waiters.shutdown(deadline - System.nanoTime());
    return !writer.isAlive() && completed;
  }
}
