package io.kvdb.wal;

import io.kvdb.core.spi.LogFactory;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.wal.internal.LogDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** {@link SegmentedWal#factory}: segmented logs with one set of settings. Immutable. */
final class SegmentedWalFactory implements LogFactory {
  private final UnaryOperator<SegmentedWalBuilder> settings;

  SegmentedWalFactory(UnaryOperator<SegmentedWalBuilder> settings) {
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
  }

  @Override
  public WriteAheadLog create(Path directory, long preloadedSnapshot, boolean automaticSnapshots) {
    SegmentedWalBuilder b =
        settings
            .apply(SegmentedWal.builder().directory(directory))
            .preloadedSnapshot(preloadedSnapshot);
    if (!automaticSnapshots) {
      b.snapshotThreshold(0);
    }
    return b.build();
  }

  @Override
  public void createFromSnapshot(Path directory, long lsn, LogHistory history, StoreState entries)
      throws IOException {
    LogDirectory.createFromSnapshot(directory, lsn, history, entries);
  }

  @Override
  public void truncateAfter(Path directory, long lsn) throws IOException {
    LogDirectory.truncateAfter(directory, lsn);
  }

  @Override
  public void checkTruncateAfter(Path directory, long lsn) throws IOException {
    LogDirectory.check(directory, lsn);
  }
}
