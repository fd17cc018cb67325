package io.kvdb.core.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes the write-ahead logs of a replicated node, one per data directory (its own, and the new one
 * a full sync builds beside it), and does to a directory that is not open what replication needs:
 * create one from a snapshot, cut one back to an LSN. A replication node depends on this interface
 * only; kvdb-wal's implementation is {@code SegmentedWal.factory(...)}.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public interface LogFactory {
  /**
   * A log on {@code directory}, not opened yet.
   *
   * @param preloadedSnapshot the LSN of the directory's snapshot that the store opening the log
   *     already holds (its recovery reads that snapshot's header only), 0 for none
   * @param automaticSnapshots false for a log that takes snapshots only on demand (a full sync's
   *     catch-up log)
   */
  WriteAheadLog create(Path directory, long preloadedSnapshot, boolean automaticSnapshots);

  /**
   * Creates a log directory (empty or missing) whose first open holds {@code entries} as of LSN
   * {@code lsn}, follows {@code history}, and appends from {@code lsn + 1}.
   *
   * @throws IOException if the directory is not empty, or writing fails
   */
  void createFromSnapshot(Path directory, long lsn, LogHistory history, StoreState entries)
      throws IOException;

  /**
   * Cuts the log in {@code directory} (not open) back to LSN {@code lsn}.
   *
   * @throws IOException if a snapshot newer than {@code lsn} holds the records, or the files cannot
   *     be changed
   */
  void truncateAfter(Path directory, long lsn) throws IOException;

  /**
   * Throws the reason {@link #truncateAfter} could not cut the log back to {@code lsn}; changes
   * nothing. The log may be open.
   *
   * @throws IOException why the cut is impossible
   */
  void checkTruncateAfter(Path directory, long lsn) throws IOException;
}
