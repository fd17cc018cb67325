package io.kvdb.wal;

import java.nio.file.Path;
import java.time.Duration;

/** Builds a {@link SegmentedWal}; every setter rejects a bad value at once, naming it. */
public final class SegmentedWalBuilder {
  private Path directory;
  private FsyncPolicy fsync = FsyncPolicy.ALWAYS;
  private int batchSize = WalOptions.DEFAULT_BATCH_SIZE;
  private Duration batchTimeout = WalOptions.DEFAULT_BATCH_TIMEOUT;
  private long segmentSize = WalOptions.DEFAULT_SEGMENT_SIZE;
  private long snapshotThreshold = WalOptions.DEFAULT_SNAPSHOT_THRESHOLD;
  private long maxRetainedBytes = WalOptions.DEFAULT_MAX_RETAINED_BYTES;
  private boolean truncateCorruption;
  private long maxPendingBytes = WalOptions.DEFAULT_MAX_PENDING_BYTES;
  private WalFaults faults = WalFaults.NONE;
  private long preloadedSnapshot;

  SegmentedWalBuilder() {}

  /** The directory for segments and snapshots (created if missing). Required. */
  public SegmentedWalBuilder directory(Path directory) {
    if (directory == null) {
      throw new NullPointerException("directory must not be null");
    }
    this.directory = directory;
    return this;
  }

  /** When to fsync; default {@link FsyncPolicy#ALWAYS}. */
  public SegmentedWalBuilder fsync(FsyncPolicy fsync) {
    if (fsync == null) {
      throw new NullPointerException("fsync must not be null");
    }
    this.fsync = fsync;
    return this;
  }

  /** The most records one group write holds (1 to 1,000,000; default 1024). */
  public SegmentedWalBuilder batchSize(int batchSize) {
    if (batchSize < 1 || batchSize > 1_000_000) {
      throw new IllegalArgumentException("batchSize must be from 1 to 1000000, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /**
   * How long a group keeps taking records that are still arriving (0 to 1 s; default 1 ms). A group
   * is never held back when nothing else is queued.
   */
  public SegmentedWalBuilder batchTimeout(Duration batchTimeout) {
    if (batchTimeout == null
        || batchTimeout.isNegative()
        || batchTimeout.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("batchTimeout must be from 0 to 1s, got " + batchTimeout);
    }
    this.batchTimeout = batchTimeout;
    return this;
  }

  /** Rotate to a new segment file at this many bytes (4 KiB to 1 GiB; default 64 MiB). */
  public SegmentedWalBuilder segmentSize(long bytes) {
    if (bytes < 4096 || bytes > (1L << 30)) {
      throw new IllegalArgumentException(
          "segmentSize must be from 4096 to 1073741824 bytes, got " + bytes);
    }
    this.segmentSize = bytes;
    return this;
  }

  /**
   * Take a snapshot once the log has grown by this many bytes since the last one (0 = only on
   * demand; default 256 MiB).
   */
  public SegmentedWalBuilder snapshotThreshold(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("snapshotThreshold must not be negative, got " + bytes);
    }
    this.snapshotThreshold = bytes;
    return this;
  }

  /**
   * The most bytes of compacted segments kept for replicas that still need them (default 1 GiB).
   */
  public SegmentedWalBuilder maxRetainedBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxRetainedBytes must not be negative, got " + bytes);
    }
    this.maxRetainedBytes = bytes;
    return this;
  }

  /**
   * Allow recovery to truncate the log at mid-log corruption, losing every record from there on.
   * Off by default: corruption before the tail refuses to open. An operator's last resort.
   */
  public SegmentedWalBuilder truncateCorruption(boolean allow) {
    this.truncateCorruption = allow;
    return this;
  }

  /**
   * The most bytes of records queued but not yet written (default 64 MiB, from 64 KiB to 1 TiB).
   * Past it {@link SegmentedWal#whenWritable()} stays incomplete, so the store's writers wait (or,
   * for a server, stop reading) until the disk catches up: memory follows the disk, not the
   * clients. A single record larger than the limit is still accepted when nothing else is queued.
   */
  public SegmentedWalBuilder maxPendingBytes(long bytes) {
    if (bytes < (64 << 10) || bytes > (1L << 40)) {
      throw new IllegalArgumentException(
          "maxPendingBytes must be from 65536 to 1099511627776 bytes, got " + bytes);
    }
    this.maxPendingBytes = bytes;
    return this;
  }

  /**
   * The state handed to {@link SegmentedWal#open} already holds the directory's snapshot at LSN
   * {@code lsn} (a replica filled it while the full sync arrived): recovery reads only that
   * snapshot's header, then replays the log after it. Ignored when the newest snapshot has another
   * LSN.
   */
  public SegmentedWalBuilder preloadedSnapshot(long lsn) {
    if (lsn < 0) {
      throw new IllegalArgumentException("preloadedSnapshot must not be negative, got " + lsn);
    }
    this.preloadedSnapshot = lsn;
    return this;
  }

  /** Fault-injection hooks, for tests only (see {@link WalFaults}). */
  public SegmentedWalBuilder faults(WalFaults faults) {
    if (faults == null) {
      throw new NullPointerException("faults must not be null");
    }
    this.faults = faults;
    return this;
  }

  public SegmentedWal build() {
    if (directory == null) {
      throw new IllegalStateException("directory is required");
    }
    return new SegmentedWal(
        new WalOptions(
            directory,
            fsync,
            batchSize,
            batchTimeout,
            segmentSize,
            snapshotThreshold,
            maxRetainedBytes,
            truncateCorruption,
            maxPendingBytes,
            faults,
            preloadedSnapshot));
  }
}
