package io.kvdb.core.spi;

/**
 * What a {@link WriteAheadLog} reports about itself, for monitoring. Immutable snapshot; figures
 * are counted since the log opened.
 *
 * @param lastLsn the LSN of the last record appended
 * @param durableLsn the highest LSN durable under the log's policy
 * @param pendingBytes bytes of records queued but not yet written
 * @param groups group writes (each one write and at most one fsync)
 * @param records records written
 * @param fsyncs fsync calls
 * @param fsyncNanos time spent in fsync
 * @param fsyncP50Micros median fsync time, microseconds (0 before the first)
 * @param fsyncP99Micros 99th percentile fsync time, microseconds
 * @param groupP50Records median records per group
 * @param groupP99Records 99th percentile records per group
 * @param segments log files on disk
 * @param diskBytes bytes of those files
 * @param snapshots snapshots written since the log opened
 * @param lastSnapshotLsn the LSN the newest snapshot covers (0: none)
 * @param lastSnapshotMillis when the newest snapshot since opening was published (Unix ms; 0: none)
 * @param lastSnapshotDurationMillis how long writing it took
 * @param failure why the log failed and refuses writes, or null while it is healthy
 */
public record LogStats(
    long lastLsn,
    long durableLsn,
    long pendingBytes,
    long groups,
    long records,
    long fsyncs,
    long fsyncNanos,
    double fsyncP50Micros,
    double fsyncP99Micros,
    long groupP50Records,
    long groupP99Records,
    int segments,
    long diskBytes,
    long snapshots,
    long lastSnapshotLsn,
    long lastSnapshotMillis,
    long lastSnapshotDurationMillis,
    String failure) {

  /** What a log that keeps no statistics can still say. */
  public static LogStats basic(WriteAheadLog log) {
    return new LogStats(
        log.lastLsn(),
        log.durableLsn(),
        log.pendingBytes(),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        null);
  }
}
