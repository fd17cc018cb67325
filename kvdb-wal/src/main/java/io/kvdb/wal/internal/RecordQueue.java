package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogFailedException;
import io.kvdb.core.spi.LogStalledException;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The producers' side of the group committer: assigns LSNs and queues records for the writer, under
 * one short lock, so queue order is LSN order and LSNs are contiguous. Counts the bytes queued
 * (with their object overhead) and holds what decides whether an append is accepted: the failure,
 * the close, a stall, a refusal of local records.
 *
 * <p>Producers never block here: an append runs under the store's shard lock. One consumer, the
 * writer thread, takes records out with {@link #take}; it says it is about to park through the same
 * lock, so a producer knows when it must wake it ({@link #consumerParked}).
 */
final class RecordQueue {
  /** What {@link #take} found. */
  enum Take {
    /** Records were moved into the group. */
    RECORDS,
    /** No records, but a caller asked for an fsync of what was written. */
    SYNC_REQUESTED,
    /** No records and the log is closing: the writer finishes. */
    CLOSED,
    /** Nothing to do: the consumer may park (it is marked parked). */
    EMPTY
  }

  private final Path dir;
  private final int batchSize;
  private final ReentrantLock lock = new ReentrantLock();
  private ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private volatile long lastLsn; // written under lock, read without it
  private volatile long pendingBytes; // written under lock, read without it
  private long syncRequested; // guarded by lock
  private Throwable failure; // guarded by lock
  private boolean closing; // guarded by lock
  private Supplier<? extends RuntimeException> localRefusal; // guarded by lock
  private volatile String stalledBy; // why writes fail for now (retried), or null
  private volatile boolean parked; // the consumer is parked or about to

  RecordQueue(Path dir, int batchSize, long lastLsn) {
    this.dir = dir;
    this.batchSize = batchSize;
    this.lastLsn = lastLsn;
  }

  /** Queues a record of this node's own at the next LSN. */
  Pending append(RecordType type, byte[] key, byte[] value, long expireAt) {
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
      return enqueue(new Pending(++lastLsn, type, key, value, expireAt));
    } finally {
      lock.unlock();
    }
  }

  /** Queues a master's record, which must carry the next LSN. */
  Pending appendAt(WalRecord r) {
    lock.lock();
    try {
      checkAccepting();
      if (r.lsn() != lastLsn + 1) {
        throw new IllegalArgumentException(
            "replicated record has LSN " + r.lsn() + " but the log expects " + (lastLsn + 1));
      }
      return enqueue(new Pending(++lastLsn, r.type(), r.key(), r.value(), r.expireAtMillis()));
    } finally {
      lock.unlock();
    }
  }

  private Pending enqueue(Pending p) {
    queue.add(p);
    pendingBytes += p.pendingBytes();
    return p;
  }

  private void checkAccepting() {
    if (failure != null) {
      throw new LogFailedException(failedException().getMessage(), failure);
    }
    if (closing) {
      throw new IllegalStateException("the write-ahead log is closed");
    }
  }

  /** What every future of a failed log fails with. */
  IOException failedException() {
    return new IOException(
        "the write-ahead log in " + dir + " has failed and accepts no writes: " + failure, failure);
  }

  /** See {@link GroupCommitter#refuseLocalAppends}. */
  void refuseLocalAppends(Supplier<? extends RuntimeException> refusal) {
    lock.lock();
    try {
      localRefusal = refusal;
    } finally {
      lock.unlock();
    }
  }

  long lastLsn() {
    return lastLsn;
  }

  long pendingBytes() {
    return pendingBytes;
  }

  /** Why the log cannot write for now, or null; set and cleared by the writer. */
  String stalled() {
    return stalledBy;
  }

  void stalled(String why) {
    stalledBy = why;
  }

  Throwable failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /** Asks the consumer for an fsync of everything up to {@code lsn}. */
  void requestSync(long lsn) {
    lock.lock();
    try {
      syncRequested = Math.max(syncRequested, lsn);
    } finally {
      lock.unlock();
    }
  }

  /** Whether an fsync beyond {@code syncedLsn} was asked for. */
  boolean syncRequestedBeyond(long syncedLsn) {
    lock.lock();
    try {
      return syncRequested > syncedLsn;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves up to {@code batchSize} records into {@code group} (consumer only). With none queued,
   * says whether an fsync is wanted ({@code unsynced}: something written is not fsynced yet), the
   * log is closing, or the consumer may park.
   */
  Take take(List<Pending> group, long syncedLsn, boolean unsynced) {
    lock.lock();
    try {
      if (!queue.isEmpty()) {
        moveInto(group);
        return Take.RECORDS;
      }
      if (syncRequested > syncedLsn && unsynced) {
        return Take.SYNC_REQUESTED;
      }
      if (closing) {
        return Take.CLOSED;
      }
      parked = true;
      return Take.EMPTY;
    } finally {
      lock.unlock();
    }
  }

  /** Takes what arrived meanwhile (consumer only); false if nothing did. */
  boolean takeMore(List<Pending> group) {
    lock.lock();
    try {
      if (queue.isEmpty()) {
        return false;
      }
      moveInto(group);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void moveInto(List<Pending> group) {
    int room = batchSize - group.size();
    if (queue.size() <= room && group.isEmpty()) {
      ArrayDeque<Pending> taken = queue;
      queue = new ArrayDeque<>(Math.max(16, Math.min(taken.size(), 4096)));
      group.addAll(taken);
      return;
    }
    while (group.size() < batchSize && !queue.isEmpty()) {
      group.add(queue.poll());
    }
  }

  boolean consumerParked() {
    return parked;
  }

  /** The consumer is awake again. */
  void unparked() {
    parked = false;
  }

  /** {@code bytes} of queued records were written: they no longer count. */
  void written(long bytes) {
    lock.lock();
    try {
      pendingBytes -= bytes;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The log failed with {@code e}: later appends are refused.
   *
   * @return the records still queued, which will never be written
   */
  List<Pending> fail(Throwable e) {
    lock.lock();
    try {
      failure = e;
      List<Pending> left = new ArrayList<>(queue);
      queue.clear();
      pendingBytes = 0;
      return left;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses later appends; what is queued is still taken. */
  void close() {
    lock.lock();
    try {
      closing = true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@link #close} was called. */
  boolean closing() {
    lock.lock();
    try {
      return closing;
    } finally {
      lock.unlock();
    }
  }
}
