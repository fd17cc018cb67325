package io.kvdb.wal.internal;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What the log's writer measures: groups written and the records in them, fsyncs and the time they
 * took, as counters and distributions. Recorded by the writer thread alone, without locks (the
 * counters are volatile so that INFO reads them; the distributions go through HdrHistogram's
 * single-writer recorders); read by any thread as cumulative copies.
 */
public final class CommitMetrics {
  private static final long MAX_FSYNC_NANOS = 600_000_000_000L;
  private static final long MAX_GROUP = 100_000_000L;

  /** Group-commit counters: groups written, records in them, fsyncs and time spent in fsync. */
  public record Stats(long groups, long records, long fsyncs, long fsyncNanos) {}

  private volatile long groups;
  private volatile long records;
  private volatile long fsyncs;
  private volatile long fsyncNanos;
  private final SingleWriterRecorder fsyncTimes = new SingleWriterRecorder(1, MAX_FSYNC_NANOS, 2);
  private final SingleWriterRecorder groupSizes = new SingleWriterRecorder(1, MAX_GROUP, 2);
  private final Histogram fsyncTotal = new Histogram(1, MAX_FSYNC_NANOS, 2);
  private final Histogram groupTotal = new Histogram(1, MAX_GROUP, 2);
  private long fsyncMaxSinceTaken; // guarded by this

  /** A group of {@code size} records was written (writer thread). */
  void groupWritten(int size) {
    groups++;
    records += size;
    groupSizes.recordValue(Math.min(size, MAX_GROUP));
  }

  /** An fsync took {@code nanos} (writer thread). */
  void fsynced(long nanos) {
    fsyncs++;
    fsyncNanos += nanos;
    fsyncTimes.recordValue(Math.max(1, Math.min(nanos, MAX_FSYNC_NANOS)));
  }

  public Stats stats() {
    return new Stats(groups, records, fsyncs, fsyncNanos);
  }

  /** Moves what the writer recorded since the last call into the totals. */
  private synchronized void drainFsyncTimes() {
    Histogram interval = fsyncTimes.getIntervalHistogram();
    fsyncTotal.add(interval);
    fsyncMaxSinceTaken = Math.max(fsyncMaxSinceTaken, interval.getMaxValue());
  }

  /** fsync durations since open, in nanoseconds (a copy). */
  public synchronized Histogram fsyncHistogram() {
    drainFsyncTimes();
    return fsyncTotal.copy();
  }

  /** The longest fsync since the previous call, in nanoseconds (0: none): for a latency monitor. */
  public synchronized long takeMaxFsyncNanos() {
    drainFsyncTimes();
    long max = fsyncMaxSinceTaken;
    fsyncMaxSinceTaken = 0;
    return max;
  }

  /** Records per group since open (a copy). */
  public synchronized Histogram groupSizeHistogram() {
    groupTotal.add(groupSizes.getIntervalHistogram());
    return groupTotal.copy();
  }
}
