package io.kvdb.wal.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The futures that wait on the group committer's progress — durable up to an LSN, fsynced up to an
 * LSN, pending bytes back under the limit — and the completion thread that completes them.
 *
 * <h2>Completions</h2>
 *
 * Futures are completed off the writer thread, holding no lock, by a {@link ForkJoinPool} of
 * parallelism 1: one thread completes groups in LSN order. A callback may call back into the store,
 * even block on it — a blocking {@code put} waits for a later group's completion, which this pool
 * must run: {@code CompletableFuture.join/get} on a pool thread goes through {@link
 * ForkJoinPool#managedBlock}, and with {@code minimumRunnable = 1} the pool then starts a
 * compensating thread that goes on completing (order across groups holds again once nothing
 * blocks).
 *
 * <h2>No lost wake-up</h2>
 *
 * A wait checks the progress it needs without the lock, then again under it before it queues; the
 * progress (volatile) is published before {@link #settle} runs, and settle takes the same lock. So
 * a settle either ran before the re-check, which then sees the progress, or runs after the wait
 * queued, and completes it.
 */
final class DurabilityWaiters {
  /** Completion threads at most: one runs; the others stand in for callbacks that block. */
  private static final int MAX_COMPLETION_THREADS = 256;

  private record Waiter(long lsn, CompletableFuture<Void> future) implements Comparable<Waiter> {
    @Override
    public int compareTo(Waiter o) {
      return Long.compare(lsn, o.lsn);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Waiter> durable = new PriorityQueue<>(); // guarded by lock
  private final PriorityQueue<Waiter> synced = new PriorityQueue<>(); // guarded by lock
  private CompletableFuture<Void> writable; // guarded by lock: completes when under the limit
  private IOException failure; // guarded by lock: every wait fails once set
  private boolean closed; // guarded by lock: waits for room complete at once
  private volatile long acknowledgedLsn; // futures of records completed up to here
  private final LongSupplier syncedLsn;
  private final BooleanSupplier underLimit;
  private final ForkJoinPool completions;

  /**
   * @param syncedLsn the last LSN fsynced (the writer's)
   * @param underLimit whether the queued records are within their limit (the producers')
   */
  DurabilityWaiters(String name, long lastLsn, LongSupplier syncedLsn, BooleanSupplier underLimit) {
    this.acknowledgedLsn = lastLsn;
    this.syncedLsn = syncedLsn;
    this.underLimit = underLimit;
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
  }

  /** Completes once the records up to {@code lsn} had their own futures completed. */
  CompletableFuture<Void> whenDurable(long lsn) {
    if (lsn <= acknowledgedLsn) {
      return CompletableFuture.completedFuture(null);
    }
    return await(durable, lsn);
  }

  /** Completes once every record up to {@code lsn} is fsynced and acknowledged. */
  CompletableFuture<Void> whenSynced(long lsn) {
    if (isSynced(lsn)) {
      return CompletableFuture.completedFuture(null);
    }
    return await(synced, lsn);
  }

  private boolean isSynced(long lsn) {
    return lsn <= syncedLsn.getAsLong() && lsn <= acknowledgedLsn;
  }

  private CompletableFuture<Void> await(PriorityQueue<Waiter> queue, long lsn) {
    lock.lock();
    try {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (queue == durable ? lsn <= acknowledgedLsn : isSynced(lsn)) { // see the class note
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      queue.add(new Waiter(lsn, f));
      return f;
    } finally {
      lock.unlock();
    }
  }

  /** Completes once the producers' queue is back under its limit, the log failed or closed. */
  CompletableFuture<Void> whenWritable() {
    lock.lock();
    try {
      if (failure != null || closed || underLimit.getAsBoolean()) {
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

  /**
   * The writer wrote {@code group}, ending at {@code last}: completes it on the completion thread.
   */
  void groupWritten(List<Pending> group, long last) {
    complete(
        () -> {
          for (Pending p : group) {
            p.complete(null);
          }
          acknowledgedLsn = last;
          settle();
        });
  }

  /** Something the waits depend on moved (an fsync, a close): settles on the completion thread. */
  void progressed() {
    complete(this::settle);
  }

  /** Completes the waits that are due, outside the lock. Completion thread. */
  private void settle() {
    List<CompletableFuture<Void>> due = new ArrayList<>();
    lock.lock();
    try {
      while (!durable.isEmpty() && durable.peek().lsn <= acknowledgedLsn) {
        due.add(durable.poll().future);
      }
      long upTo = Math.min(syncedLsn.getAsLong(), acknowledgedLsn);
      while (!synced.isEmpty() && synced.peek().lsn <= upTo) {
        due.add(synced.poll().future);
      }
      if (writable != null && underLimit.getAsBoolean()) {
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

  /**
   * The log failed: {@code records} and every wait fail with {@code cause}, and so does every later
   * wait; waits for room complete (a writer's next append then reports the failure).
   */
  void fail(IOException cause, Collection<? extends CompletableFuture<Void>> records) {
    List<CompletableFuture<Void>> toFail = new ArrayList<>(records);
    CompletableFuture<Void> release;
    lock.lock();
    try {
      failure = cause;
      durable.forEach(w -> toFail.add(w.future));
      durable.clear();
      synced.forEach(w -> toFail.add(w.future));
      synced.clear();
      release = writable;
      writable = null;
    } finally {
      lock.unlock();
    }
    complete(
        () -> {
          for (CompletableFuture<Void> f : toFail) {
            f.completeExceptionally(cause);
          }
          if (release != null) {
            release.complete(null);
          }
        });
  }

  /** The log is closing: waits for room complete at once. */
  void closing() {
    CompletableFuture<Void> release;
    lock.lock();
    try {
      closed = true;
      release = writable;
      writable = null;
    } finally {
      lock.unlock();
    }
    if (release != null) {
      complete(() -> release.complete(null));
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

  /** Runs what was handed over, then stops the completion thread. */
  boolean shutdown(long timeoutNanos) throws InterruptedException {
    completions.shutdown();
    return completions.awaitTermination(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
  }
}
