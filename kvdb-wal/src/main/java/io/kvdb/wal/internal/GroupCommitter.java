package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogFailedException;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog.DurableListener;
import io.kvdb.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns LSNs, and writes and syncs records in groups on one writer thread.
 *
 * <h2>Ordering</h2>
 *
 * {@link #append} assigns the next LSN and queues the record under one short lock, so queue order
 * is LSN order and LSNs are contiguous. The writer takes records in queue order, so file order is
 * LSN order too, and it completes futures in that order.
 *
 * <h2>Group commit</h2>
 *
 * The writer drains what is queued (up to {@code batchSize} records) into one buffer. While more
 * records keep arriving it keeps draining, until the group holds {@code batchSize} records or
 * {@code batchTimeout} has passed; it never waits when the queue is empty. Then: one write, one
 * fdatasync (ALWAYS), complete the group's futures. Records that arrive during the fsync form the
 * next group, so concurrent writers share fsyncs without anyone sleeping.
 *
 * <h2>Failure</h2>
 *
 * A failed write or fsync is final: every queued and later future fails, appends are refused, and
 * the writer stops. Retrying an fsync after a failure and reporting success could acknowledge data
 * the kernel already dropped.
 */
public final class GroupCommitter {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);
  private static final long EVERYSEC_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** What the committer tells its owner. Called on the writer thread. */
  public interface Events {
    /** A new segment was created and is now the active one. */
    void segmentCreated(long firstLsn, java.nio.file.Path file);

    /** {@code bytes} more bytes were written to the log. */
    void bytesWritten(long bytes);
  }

  private final String name;
  private final FsyncPolicy policy;
  private final int batchSize;
  private final long batchTimeoutNanos;
  private final long segmentSize;
  private final java.nio.file.Path dir;
  private final Events events;
  private final List<DurableListener> listeners = new CopyOnWriteArrayList<>();

  private final ReentrantLock lock = new ReentrantLock();
  private ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private volatile long lastLsn; // written under lock, read without it
  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(); // guarded by lock
  private Throwable failure; // guarded by lock
  private boolean closing; // guarded by lock

  private volatile long durableLsn;
  private volatile boolean parked;
  private final Thread writer;
  private ActiveSegment segment; // writer thread only (and close, after the writer ended)
  private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
  private long unsyncedBytes;
  // Counters, written only by the writer thread (volatile so that INFO can read them).
  private volatile long groups;
  private volatile long records;
  private volatile long fsyncs;
  private volatile long fsyncNanos;
  private long lastSyncNanos = System.nanoTime();

  private record Waiter(long lsn, CompletableFuture<Void> future) implements Comparable<Waiter> {
    @Override
    public int compareTo(Waiter o) {
      return Long.compare(lsn, o.lsn);
    }
  }

  public GroupCommitter(
      String name,
      java.nio.file.Path dir,
      ActiveSegment segment,
      long lastLsn,
      FsyncPolicy policy,
      int batchSize,
      long batchTimeoutNanos,
      long segmentSize,
      Events events) {
    this.name = name;
    this.dir = dir;
    this.segment = segment;
    segment.zeroFillUpTo(segmentSize);
    this.lastLsn = lastLsn;
    this.durableLsn = lastLsn;
    this.policy = policy;
    this.batchSize = batchSize;
    this.batchTimeoutNanos = batchTimeoutNanos;
    this.segmentSize = segmentSize;
    this.events = events;
    this.writer = new Thread(this::run, "kvdb-wal-writer[" + name + "]");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /* ---- Producer side (any thread, never blocks on I/O) ---- */

  public CompletableFuture<Void> append(RecordType type, byte[] key, byte[] value, long expireAt) {
    Pending p;
    lock.lock();
    try {
      checkAccepting();
      p = new Pending(++lastLsn, type, key, value, expireAt);
      queue.add(p);
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
      queue.add(p);
    } finally {
      lock.unlock();
    }
    wakeWriter();
    return p;
  }

  public long lastLsn() {
    return lastLsn;
  }

  public long durableLsn() {
    return durableLsn;
  }

  public CompletableFuture<Void> whenDurable(long lsn) {
    if (lsn <= durableLsn) {
      return CompletableFuture.completedFuture(null);
    }
    lock.lock();
    try {
      if (failure != null) {
        return CompletableFuture.failedFuture(failedException());
      }
      if (lsn <= durableLsn) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      waiters.add(new Waiter(lsn, f));
      return f;
    } finally {
      lock.unlock();
    }
  }

  /** Group-commit counters: groups written, records in them, fsyncs and time spent in fsync. */
  public record Stats(long groups, long records, long fsyncs, long fsyncNanos) {}

  public Stats stats() {
    return new Stats(groups, records, fsyncs, fsyncNanos);
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
    ArrayDeque<Pending> group = new ArrayDeque<>();
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
        while (group.size() < batchSize
            && batchTimeoutNanos > 0
            && System.nanoTime() - groupStart < batchTimeoutNanos
            && drainMore(group)) {
          Thread.onSpinWait();
        }
        writeGroup(group);
        group.clear();
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
  private boolean drain(ArrayDeque<Pending> group) {
    while (true) {
      lock.lock();
      try {
        if (!queue.isEmpty()) {
          moveFromQueue(group);
          return true;
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
  private boolean drainMore(ArrayDeque<Pending> group) {
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

  private void moveFromQueue(ArrayDeque<Pending> group) {
    if (queue.size() <= batchSize - group.size() && group.isEmpty()) {
      ArrayDeque<Pending> taken = queue;
      queue = new ArrayDeque<>(Math.max(16, taken.size()));
      group.addAll(taken);
      return;
    }
    while (group.size() < batchSize && !queue.isEmpty()) {
      group.add(queue.poll());
    }
  }

  private void writeGroup(ArrayDeque<Pending> group) throws IOException {
    long bytes = 0;
    for (Pending p : group) {
      bytes += p.encodedSize();
    }
    if (segment.size() >= segmentSize && segment.size() > SegmentHeader.SIZE) {
      rotate(group.peekFirst().lsn);
    }
    if (bytes > buffer.capacity()) {
      buffer = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, bytes * 2));
    }
    buffer.clear();
    for (Pending p : group) {
      RecordCodec.encode(buffer, p.lsn, p.type, p.key, p.value, p.expireAt);
    }
    buffer.flip();
    segment.write(buffer);
    unsyncedBytes += bytes;
    if (policy == FsyncPolicy.ALWAYS) {
      sync();
    }
    long last = group.peekLast().lsn;
    groups++;
    records += group.size();
    durableLsn = last;
    for (Pending p : group) {
      p.complete(null);
    }
    completeWaiters(last);
    for (DurableListener l : listeners) {
      l.durableUpTo(last);
    }
    events.bytesWritten(bytes);
    if (policy == FsyncPolicy.EVERYSEC) {
      syncIfDue();
    }
  }

  private void syncIfDue() throws IOException {
    if (policy == FsyncPolicy.EVERYSEC
        && unsyncedBytes > 0
        && System.nanoTime() - lastSyncNanos >= EVERYSEC_NANOS) {
      sync();
    }
  }

  private void sync() throws IOException {
    long start = System.nanoTime();
    segment.force();
    unsyncedBytes = 0;
    lastSyncNanos = System.nanoTime();
    fsyncs++;
    fsyncNanos += lastSyncNanos - start;
    long tookMs = TimeUnit.NANOSECONDS.toMillis(lastSyncNanos - start);
    if (tookMs >= 1000) {
      log.warn("[wal {}] fsync took {} ms (disk busy?)", name, tookMs);
    }
  }

  private void rotate(long nextLsn) throws IOException {
    segment.seal(); // every policy: a sealed segment is complete on disk, without the zeros
    segment.close();
    segment = ActiveSegment.create(dir, nextLsn);
    segment.zeroFillUpTo(segmentSize);
    unsyncedBytes = 0;
    events.segmentCreated(nextLsn, segment.file());
    log.debug("[wal {}] rotated to segment {}", name, segment.file().getFileName());
  }

  private void completeWaiters(long durable) {
    lock.lock();
    try {
      while (!waiters.isEmpty() && waiters.peek().lsn <= durable) {
        waiters.poll().future.complete(null);
      }
    } finally {
      lock.unlock();
    }
  }

  private void finish() throws IOException {
    segment.seal();
    segment.close();
  }

  private void fail(Throwable e, ArrayDeque<Pending> group) {
    log.error("[wal {}] write-ahead log failed; refusing further writes: {}", name, e.toString());
    List<CompletableFuture<Void>> toFail = new java.util.ArrayList<>(group);
    lock.lock();
    try {
      failure = e;
      toFail.addAll(queue);
      queue.clear();
      waiters.forEach(w -> toFail.add(w.future));
      waiters.clear();
    } finally {
      lock.unlock();
    }
    IOException cause = failedException();
    for (CompletableFuture<Void> f : toFail) {
      f.completeExceptionally(cause);
    }
    try {
      segment.close();
    } catch (IOException closeFailure) {
      e.addSuppressed(closeFailure);
    }
  }

  /**
   * Stops accepting records, writes and fsyncs everything queued, and waits for the writer to end.
   *
   * @return false if the writer did not end within the timeout
   */
  public boolean close(long timeoutMillis) throws InterruptedException {
    lock.lock();
    try {
      closing = true;
    } finally {
      lock.unlock();
    }
    LockSupport.unpark(writer);
    writer.join(timeoutMillis);
    return !writer.isAlive();
  }
}
