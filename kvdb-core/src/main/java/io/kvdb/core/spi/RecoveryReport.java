package io.kvdb.core.spi;

import java.time.Duration;

/**
 * What {@link WriteAheadLog#open} did.
 *
 * @param snapshotLsn S, the LSN the loaded snapshot was started at (every record up to S is in it),
 *     0 when none was loaded
 * @param snapshotEndLsn E, the last LSN when the snapshot's walk finished: it may hold some records
 *     from S+1 to E, so the store is consistent only once the log was replayed to E at least
 * @param snapshotEntries entries loaded from the snapshot
 * @param recordsReplayed log records replayed after the snapshot
 * @param lastLsn the last LSN in the log after recovery; the next append gets lastLsn + 1
 * @param bytesTruncated bytes dropped from a torn tail, or from corruption when truncation was
 *     allowed
 * @param recordsDropped records (whole or partial) that recovery dropped: a torn record at the
 *     tail, everything after corruption when truncation was allowed, or the LSNs up to E that the
 *     log no longer held. Greater than zero means the history forked: an LSN after {@code lastLsn}
 *     may once have named other data
 * @param took how long recovery took
 */
public record RecoveryReport(
    long snapshotLsn,
    long snapshotEndLsn,
    long snapshotEntries,
    long recordsReplayed,
    long lastLsn,
    long bytesTruncated,
    long recordsDropped,
    Duration took) {

  /** The report of a log that had nothing to recover. */
  public static RecoveryReport empty() {
    return new RecoveryReport(0, 0, 0, 0, 0, 0, 0, Duration.ZERO);
  }
}
