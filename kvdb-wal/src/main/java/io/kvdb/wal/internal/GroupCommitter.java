package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogFailedException;
import io.kvdb.core.spi.LogStalledException;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog.DurableListener;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.WalFaults;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
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
 * batchTimeout} has passed; it never waits when the queue is empty. Then: the group's records go
 * through one fixed 1 MiB buffer into the file ({@link RecordWriter}: large records in chunks), one
 * fdatasync (ALWAYS), and the group is handed to the completion thread. Records that arrive during
 * the fsync form the next group, so concurrent writers share fsyncs without anyone sleeping.
 *
 * <h2>Completions</h2>
 *
 * Futures are completed off the writer thread, holding no lock, by a {@link ForkJoinPool} of
 * parallelism 1: one thread completes groups in LSN order. A callback may call back into the store,
 * even block on it — a blocking {@code put} waits for a later group's completion, which this pool
 * must run: {@code CompletableFuture.join/get} on a pool thread goes through {@link
 * ForkJoinPool#managedBlock}, and with {@code minimumRunnable = 1} the pool then starts a
 * compensating thread that goes on completing (order across groups holds again once nothing
 * blocks). Durable listeners are ours (replication, the server) and run on the writer thread; one
 * that throws is logged and removed.
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

  /** Completion threads at most: one runs; the others stand in for callbacks that block. */
  private static final int MAX_COMPLETION_THREADS = 256;

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
  private final Path dir;
  private final Events events;
  private final List<DurableListener> listeners = new CopyOnWriteArrayList<>();

  private final ReentrantLock lock = new ReentrantLock();
  private ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private volatile long lastLsn; // written under lock, read without it
  private volatile long pendingBytes; // written under lock, read without it
  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(); // guarded by lock
  private final PriorityQueue<Waiter> syncWaiters = new PriorityQueue<>(); // guarded by lock
  private CompletableFuture<Void> writable; // guarded by lock: completes when under the limit
  private long syncRequested; // guarded by lock
  private Throwable failure; // guarded by lock
  private volatile boolean failed; // failure != null, readable without the lock
  private boolean closing; // guarded by lock

  private volatile long durableLsn; // written: durable under the policy
  private volatile long syncedLsn; // fsynced
  private volatile long acknowledgedLsn; // futures completed up to here
  private volatile boolean parked;
  private final Thread writer;
  private final ForkJoinPool completions;
  private final RecordWriter out = new RecordWriter();
  private ActiveSegment segment; // writer thread only (and close, after the writer ended)
  private long unsyncedBytes; // writer thread; 0 exactly when syncedLsn == durableLsn
  private long lastSyncNanos = System.nanoTime();
  private final CommitMetrics metrics = new CommitMetrics();

  private record Waiter(long lsn, CompletableFuture<Void> future) implements Comparable<Waiter> {
    @Override
    public int compareTo(Waiter o) {
      return Long.compare(lsn, o.lsn);
    }
  }

  public GroupCommitter(
      String name,
      Path dir,
      ActiveSegment segment,
      long lastLsn,
      Settings settings,
      Events events) {
    this.name = name;
    this.dir = dir;
    this.settings = settings;
    this.policy = settings.policy();
    this.segment = segment;
    segment.zeroFillUpTo(settings.segmentSize());
    out.target(segment);
    this.lastLsn = lastLsn;
    this.durableLsn = lastLsn;
    this.syncedLsn = lastLsn;
    this.acknowledgedLsn = lastLsn;
    this.events = events;
    this.completions =
        new ForkJoinPool(
            1,
            pool -> {
              ForkJoinWorkerThread t =
                  ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
              t.setName("kvdb-wal-complete[" + name + "]-" + t.getPoolIndex());
              t.setDaemon(true);
              return t;
            },
            null,
            true, // FIFO: groups complete in the order the writer hands them over
            0,
            MAX_COMPLETION_THREADS,
            1, // keep one thread runnable: compensate for callbacks that block
            null,
            30,
            TimeUnit.SECONDS);
    this.writer = new Thread(this::run, "kvdb-wal-writer[" + name + "]");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /* ---- Producer side (any thread, never blocks) ---- */

  public CompletableFuture<Void> append(RecordType type, byte[] key, byte[] value, long expireAt) {
    Pending p;
    lock.lock();
    try {
      checkAccepting();
      if (localRefusal != null) {
        throw localRefusal.get(); // a replica's log takes only its master's records
      }
      String stalled = stalledBy;
      if (stalled != null) {
        throw new LogStalledException(
            "the write-ahead log in "
                + dir
                + " cannot write for now (retried every second): "
                + stalled);
      }
      p = new Pending(++lastLsn, type, key, value, expireAt);
      enqueue(p);
    } finally {
      lock.unlock();
    }
    wakeWriter();
    return p;
  }

  public CompletableFuture<Void> appendAt(WalRecord r) {
    Pending p;
    lock.lock();
    try {
      checkAccepting();
      if (r.lsn() != lastLsn + 1) {
        throw new IllegalArgumentException(
            "replicated record has LSN " + r.lsn() + " but the log expects " + (lastLsn + 1));
      }
      p = new Pending(++lastLsn, r.type(), r.key(), r.value(), r.expireAtMillis());
      enqueue(p);
    } finally {
      lock.unlock();
    }
    wakeWriter();
    return p;
  }

  private Supplier<? extends RuntimeException> localRefusal; // guarded by lock

  /** How often a write that failed is tried again. */
  static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private volatile String stalledBy; // why writes fail for now (retried), or null

  /** Why the log cannot write for now (no space left...): retried every second; null when fine. */
  public String stalled() {
    return stalledBy;
  }

  /**
   * From now on {@link #append} (a record of this node's own) throws what {@code refusal} supplies,
   * until called with null; {@link #appendAt} (a master's record) goes on. Under the queue's lock,
   * so an append either got its LSN before this returned or is refused: a role change never lets a
   * local record in after it.
   */
  public void refuseLocalAppends(Supplier<? extends RuntimeException> refusal) {
    lock.lock();
    try {
      localRefusal = refusal;
    } finally {
      lock.unlock();
    }
  }

  private void enqueue(Pending p) {
    queue.add(p);
    pendingBytes += p.pendingBytes();
  }

  public long lastLsn() {
    return lastLsn;
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
    return pendingBytes;
  }

  public CompletableFuture<Void> whenDurable(long lsn) {
    if (lsn <= acknowledgedLsn) {
      return CompletableFuture.completedFuture(null);
    }
    lock.lock();
    try {
      if (failure != null) {
        return CompletableFuture.failedFuture(failedException());
      }
      if (lsn <= acknowledgedLsn) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      waiters.add(new Waiter(lsn, f));
      return f;
    } finally {
      lock.unlock();
    }
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
    if (lsn <= syncedLsn && lsn <= acknowledgedLsn) {
      return CompletableFuture.completedFuture(null);
    }
    lock.lock();
    try {
      if (failure != null) {
        return CompletableFuture.failedFuture(failedException());
      }
      // Again under the lock: settle() takes it too, so a group that completed since the check
      // above either shows here or has not settled yet and will see this waiter. Without this
      // re-check the waiter could miss its wake-up and hang until the next write.
      if (lsn <= syncedLsn && lsn <= acknowledgedLsn) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      syncWaiters.add(new Waiter(lsn, f));
      syncRequested = Math.max(syncRequested, lsn);
      LockSupport.unpark(writer);
      return f;
    } finally {
      lock.unlock();
    }
  }

  /** Completes once the queued records are within {@code maxPendingBytes} (see the class note). */
  public CompletableFuture<Void> whenWritable() {
    if (pendingBytes <= settings.maxPendingBytes()) {
      return CompletableFuture.completedFuture(null);
    }
    lock.lock();
    try {
      if (failure != null || closing || pendingBytes <= settings.maxPendingBytes()) {
        return CompletableFuture.completedFuture(null);
      }
      if (writable == null) {
        writable = new CompletableFuture<>();
      }
      return writable.copy(); // callers cannot complete the shared one
    } finally {
      lock.unlock();
    }
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
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  private void checkAccepting() {
    if (failure != null) {
      throw new LogFailedException(failedException().getMessage(), failure);
    }
    if (closing) {
      throw new IllegalStateException("the write-ahead log is closed");
    }
  }

  private IOException failedException() {
    return new IOException(
        "the write-ahead log in " + dir + " has failed and accepts no writes: " + failure, failure);
  }

  private void wakeWriter() {
    if (parked) {
      LockSupport.unpark(writer);
    }
  }

  /* ---- Writer thread ---- */

  private void run() {
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
            && drainMore(group)) {
          Thread.onSpinWait();
        }
        writeGroupRetrying(group);
        group = new ArrayList<>();
      }
      finish();
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
      lock.lock();
      try {
        if (!queue.isEmpty()) {
          moveFromQueue(group);
          return true;
        }
        if (syncRequested > syncedLsn && unsyncedBytes > 0) {
          return true; // empty group: the caller syncs
        }
        if (closing) {
          return false;
        }
        parked = true;
      } finally {
        lock.unlock();
      }
      if (policy == FsyncPolicy.EVERYSEC && unsyncedBytes > 0) {
        long due = lastSyncNanos + EVERYSEC_NANOS - System.nanoTime();
        if (due <= 0) {
          parked = false;
          return true; // empty group: the caller syncs
        }
        LockSupport.parkNanos(this, due);
      } else {
        LockSupport.parkNanos(this, EVERYSEC_NANOS);
      }
      parked = false;
    }
  }

  /** Takes what arrived meanwhile; false if nothing did (then the group is written at once). */
  private boolean drainMore(List<Pending> group) {
    lock.lock();
    try {
      if (queue.isEmpty()) {
        return false;
      }
      moveFromQueue(group);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void moveFromQueue(List<Pending> group) {
    int room = settings.batchSize() - group.size();
    if (queue.size() <= room && group.isEmpty()) {
      ArrayDeque<Pending> taken = queue;
      queue = new ArrayDeque<>(Math.max(16, Math.min(taken.size(), 4096)));
      group.addAll(taken);
      return;
    }
    while (group.size() < settings.batchSize() && !queue.isEmpty()) {
      group.add(queue.poll());
    }
  }

  /**
   * Writes a group; a write that fails (not an fsync) cuts the segment back to the last good record
   * and is retried every second until it succeeds or the log closes (see the class note).
   */
  private void writeGroupRetrying(List<Pending> group) throws IOException {
    while (true) {
      ActiveSegment before = segment;
      long sizeBefore = before.size();
      try {
        writeGroup(group);
        if (stalledBy != null) {
          log.warn("[wal {}] writing works again: the log goes on at LSN {}", name, durableLsn);
          stalledBy = null;
        }
        return;
      } catch (SyncFailedException e) {
        throw e; // final
      } catch (IOException e) {
        if (closing || !mayGoAway(e)) {
          throw e;
        }
        try {
          out.discard();
          segment.truncateTo(segment == before ? sizeBefore : SegmentHeader.SIZE);
        } catch (IOException cannotCut) {
          e.addSuppressed(cannotCut);
          throw e; // the file holds a part we cannot remove: final
        }
        if (stalledBy == null) {
          log.error(
              "[wal {}] writing failed ({}); cut back to the last good record (LSN {}), refusing"
                  + " new writes and retrying every second",
              name,
              e.toString(),
              durableLsn);
        }
        stalledBy = e.getMessage() == null ? e.toString() : e.getMessage();
        LockSupport.parkNanos(this, RETRY_NANOS);
      }
    }
  }

  /**
   * Whether a failed write may succeed later without a restart: no space left, a quota, a file
   * system remounted read-only. Anything else (a closed channel, an I/O error) is final.
   */
  static boolean mayGoAway(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (t instanceof ClosedChannelException) {
        return false;
      }
      if (m != null
          && (m.contains("No space left on device")
              || m.contains("Disk quota exceeded")
              || m.contains("Read-only file system"))) {
        return true;
      }
    }
    return false;
  }

  private void writeGroup(List<Pending> group) throws IOException {
    if (segment.size() >= settings.segmentSize() && segment.size() > SegmentHeader.SIZE) {
      rotate(group.get(0).lsn);
    }
    settings.faults().beforeWrite(segment.file());
    long bytes = 0;
    long held = 0;
    for (Pending p : group) {
      out.write(p);
      bytes += p.encodedSize;
      held += p.pendingBytes();
    }
    out.flush();
    unsyncedBytes += bytes;
    long last = group.get(group.size() - 1).lsn;
    if (policy == FsyncPolicy.ALWAYS) {
      sync(last);
    }
    metrics.groupWritten(group.size());
    durableLsn = last;
    for (Pending p : group) {
      p.written();
      Thread w = p.waiter; // read after durableLsn was written: see awaitDurable
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
    lock.lock();
    try {
      pendingBytes -= held;
    } finally {
      lock.unlock();
    }
    tellListeners(last);
    complete(() -> completeGroup(group, last));
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
    if (unsyncedBytes == 0) {
      return;
    }
    boolean requested;
    lock.lock();
    try {
      requested = syncRequested > syncedLsn;
    } finally {
      lock.unlock();
    }
    if (requested
        || (policy == FsyncPolicy.EVERYSEC
            && System.nanoTime() - lastSyncNanos >= EVERYSEC_NANOS)) {
      sync(durableLsn);
      complete(this::settle);
    }
  }

  /** Fsyncs the active segment, which holds every record up to {@code upTo} not yet synced. */
  private void sync(long upTo) throws IOException {
    long start = System.nanoTime();
    try {
      settings.faults().beforeSync(segment.file());
      segment.force();
    } catch (IOException e) {
      throw SyncFailedException.of(e);
    }
    settings.faults().afterSync(segment.file(), segment.size());
    unsyncedBytes = 0;
    syncedLsn = upTo;
    lastSyncNanos = System.nanoTime();
    metrics.fsynced(lastSyncNanos - start);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(lastSyncNanos - start);
    if (tookMs >= 1000) {
      log.warn("[wal {}] fsync took {} ms (disk busy?)", name, tookMs);
    }
  }

  private void seal() throws IOException {
    try {
      settings.faults().beforeSync(segment.file());
      segment.seal(); // every policy: a sealed segment is complete on disk, without the zeros
    } catch (IOException e) {
      throw SyncFailedException.of(e);
    }
    settings.faults().afterSync(segment.file(), segment.size());
    unsyncedBytes = 0;
    syncedLsn = durableLsn;
  }

  private void rotate(long nextLsn) throws IOException {
    // Sealed first, so that the next segment exists only once this one is complete on disk (a
    // power cut between the two must not leave a gap). If the next cannot be created (no space),
    // the sealed one stays active — appending after its last record is fine — and the group is
    // retried; a half-created file is removed.
    seal();
    ActiveSegment next;
    try {
      next = ActiveSegment.create(dir, nextLsn);
    } catch (IOException e) {
      Files.deleteIfExists(dir.resolve(WalFileNames.segmentName(nextLsn)));
      throw e;
    }
    segment.close();
    segment = next;
    segment.zeroFillUpTo(settings.segmentSize());
    out.target(segment);
    events.segmentCreated(nextLsn, segment.file());
    log.debug("[wal {}] rotated to segment {}", name, segment.file().getFileName());
  }

  private void finish() throws IOException {
    seal();
    segment.close();
    complete(this::settle);
  }

  /* ---- Completion thread ---- */

  private void completeGroup(List<Pending> group, long last) {
    for (Pending p : group) {
      p.complete(null);
    }
    acknowledgedLsn = last;
    settle();
  }

  /** Completes the waiters that are due, outside the lock. */
  private void settle() {
    List<CompletableFuture<Void>> due = new ArrayList<>();
    lock.lock();
    try {
      while (!waiters.isEmpty() && waiters.peek().lsn <= acknowledgedLsn) {
        due.add(waiters.poll().future);
      }
      long synced = Math.min(syncedLsn, acknowledgedLsn);
      while (!syncWaiters.isEmpty() && syncWaiters.peek().lsn <= synced) {
        due.add(syncWaiters.poll().future);
      }
      if (writable != null && pendingBytes <= settings.maxPendingBytes()) {
        due.add(writable);
        writable = null;
      }
    } finally {
      lock.unlock();
    }
    for (CompletableFuture<Void> f : due) {
      f.complete(null);
    }
  }

  private final LostWrites lostWrites = new LostWrites();

  /**
   * After a failure: whether {@code key} was written by a record that never became durable (its
   * client was told the write failed, but memory may hold it). Reads of such a key must not show
   * it; false while the log is healthy.
   */
  public boolean lost(byte[] key) {
    return failed && lostWrites.contains(key);
  }

  private void fail(Throwable e, List<Pending> group) {
    log.error("[wal {}] write-ahead log failed; refusing further writes: {}", name, e.toString());
    List<CompletableFuture<Void>> toFail = new ArrayList<>(group);
    CompletableFuture<Void> release;
    lostWrites.remember(group);
    lock.lock();
    try {
      lostWrites.remember(queue);
      failure = e;
      failed = true;
      toFail.addAll(queue);
      queue.clear();
      pendingBytes = 0;
      waiters.forEach(w -> toFail.add(w.future));
      waiters.clear();
      syncWaiters.forEach(w -> toFail.add(w.future));
      syncWaiters.clear();
      release = writable;
      writable = null;
    } finally {
      lock.unlock();
    }
    for (CompletableFuture<Void> f : toFail) {
      if (f instanceof Pending p && p.waiter != null) {
        LockSupport.unpark(p.waiter);
      }
    }
    IOException cause = failedException();
    complete(
        () -> {
          for (CompletableFuture<Void> f : toFail) {
            f.completeExceptionally(cause);
          }
          if (release != null) {
            release.complete(null); // wake waiting writers: their append then reports the failure
          }
        });
    try {
      segment.close();
    } catch (IOException closeFailure) {
      e.addSuppressed(closeFailure);
    }
  }

  /** Runs completions on their thread; inline only once it has stopped (a close that timed out). */
  private void complete(Runnable task) {
    try {
      completions.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
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
    CompletableFuture<Void> release;
    lock.lock();
    try {
      closing = true;
      release = writable;
      writable = null;
    } finally {
      lock.unlock();
    }
    if (release != null) {
      complete(() -> release.complete(null));
    }
    LockSupport.unpark(writer);
    writer.join(timeoutMillis);
    completions.shutdown();
    long left = Math.max(1, deadline - System.nanoTime());
    boolean completed = completions.awaitTermination(left, TimeUnit.NANOSECONDS);
    return !writer.isAlive() && completed;
  }
}
