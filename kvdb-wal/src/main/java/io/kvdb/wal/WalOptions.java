package io.kvdb.wal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of a {@link SegmentedWal}, validated by its builder.
 *
 * @param directory where segments and snapshots live
 * @param fsync when written records are forced to disk
 * @param batchSize the most records in one group write
 * @param batchTimeout how long a group keeps taking records that are still arriving
 * @param segmentSize rotate segments at this many bytes
 * @param snapshotThreshold snapshot after this many log bytes (0 = only on demand)
 * @param maxRetainedBytes the most compacted-away bytes kept for replicas
 * @param truncateCorruption whether recovery may truncate at mid-log corruption
 * @param maxPendingBytes the most bytes of records queued but not yet written before writers are
 *     held back
 * @param faults fault-injection hooks for tests ({@link WalFaults#NONE} otherwise)
 * @param preloadedSnapshot the LSN of a snapshot the state handed to open already holds (its
 *     entries are not read again), 0 for none
 */
public record WalOptions(
    Path directory,
    FsyncPolicy fsync,
    int batchSize,
    Duration batchTimeout,
    long segmentSize,
    long snapshotThreshold,
    long maxRetainedBytes,
    boolean truncateCorruption,
    long maxPendingBytes,
    WalFaults faults,
    long preloadedSnapshot) {
  public static final int DEFAULT_BATCH_SIZE = 1024;
  public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofMillis(1);
  public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
  public static final long DEFAULT_SNAPSHOT_THRESHOLD = 256L << 20;
  public static final long DEFAULT_MAX_RETAINED_BYTES = 1L << 30;
  public static final long DEFAULT_MAX_PENDING_BYTES = 64L << 20;
}
