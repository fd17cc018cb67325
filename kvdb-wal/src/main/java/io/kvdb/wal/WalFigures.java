package io.kvdb.wal;

import io.kvdb.core.spi.LogStats;
import io.kvdb.wal.internal.CommitMetrics;
import io.kvdb.wal.internal.GroupCommitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/** Gathers a {@link SegmentedWal}'s figures for {@link SegmentedWal#stats()}. */
final class WalFigures {
  private WalFigures() {}

  static LogStats of(
      GroupCommitter c,
      Checkpointer checkpointer,
      Path dir,
      long lastLsn,
      long durableLsn,
      long pendingBytes) {
    CommitMetrics.Stats st = c.metrics().stats();
    Histogram fsync = c.metrics().fsyncHistogram();
    Histogram group = c.metrics().groupSizeHistogram();
    int files = 0;
    long bytes = 0;
    try (var list = Files.list(dir)) {
      for (Path f : (Iterable<Path>) list::iterator) {
        String n = f.getFileName().toString();
        if (n.endsWith(".wal") || n.endsWith(".snap")) {
          files += n.endsWith(".wal") ? 1 : 0;
          bytes += Files.size(f);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // a file went away while listing (compaction): the figures are a moment's anyway
    }
    Throwable failure = c.failure();
    return new LogStats(
        lastLsn,
        durableLsn,
        pendingBytes,
        st.groups(),
        st.records(),
        st.fsyncs(),
        st.fsyncNanos(),
        fsync.getTotalCount() == 0 ? 0 : fsync.getValueAtPercentile(50) / 1000.0,
        fsync.getTotalCount() == 0 ? 0 : fsync.getValueAtPercentile(99) / 1000.0,
        group.getTotalCount() == 0 ? 0 : group.getValueAtPercentile(50),
        group.getTotalCount() == 0 ? 0 : group.getValueAtPercentile(99),
        files,
        bytes,
        checkpointer.snapshotsWritten(),
        checkpointer.snapshotLsn(),
        checkpointer.lastSnapshotMillis(),
        checkpointer.lastSnapshotDurationMillis(),
        failure == null ? null : failure.toString());
  }
}
