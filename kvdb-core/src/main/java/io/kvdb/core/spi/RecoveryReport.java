package io.kvdb.core.spi;

import java.time.Duration;

/**
 * What {@link WriteAheadLog#open} did.
 *
 * @param snapshotLsn the LSN the loaded snapshot covers, 0 when none was loaded
 * @param snapshotEntries entries loaded from the snapshot
 * @param recordsReplayed log records replayed after the snapshot
 * @param lastLsn the last LSN in the log after recovery
 * @param bytesTruncated bytes dropped from a torn tail
 * @param took how long recovery took
 */
public record RecoveryReport(
    long snapshotLsn,
    long snapshotEntries,
    long recordsReplayed,
    long lastLsn,
    long bytesTruncated,
    Duration took) {

  /** The report of a log that had nothing to recover. */
  public static RecoveryReport empty() {
    return new RecoveryReport(0, 0, 0, 0, 0, Duration.ZERO);
  }
}
