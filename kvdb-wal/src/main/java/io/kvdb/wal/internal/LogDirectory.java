package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What is done to a log directory that is not open (for {@code SegmentedWal.factory}'s {@code
 * LogFactory}): one created from a snapshot, one cut back to an LSN.
 */
public final class LogDirectory {
  private LogDirectory() {}

  /**
   * Creates a WAL directory that starts from a snapshot: a store opened on it holds {@code entries}
   * as of LSN {@code lsn}, follows {@code history}, and appends from {@code lsn + 1}. A replica
   * uses it to build a full sync beside its old data. The entries must be exactly the state at
   * {@code lsn} for the directory's own recovery to be exact on its own; a replica whose entries
   * came from a fuzzy walk switches to the directory only after it has also logged the records up
   * to the walk's end.
   *
   * @throws IOException if {@code dir} exists and is not empty, or writing fails
   */
  public static void createFromSnapshot(Path dir, long lsn, LogHistory history, StoreState entries)
      throws IOException {
    Files.createDirectories(dir);
    try (var listing = Files.list(dir)) {
      if (listing.findAny().isPresent()) {
        throw new IOException("cannot create a log in " + dir + ": the directory is not empty");
      }
    }
    if (lsn > 0) {
      SnapshotFile.write(dir, lsn, entries, () -> false, () -> lsn, e -> {});
    }
    HistoryFile.write(dir, history, true); // a full sync's log: its master's records
    CleanClose.write(dir, lsn); // complete as written: its first open is not a crash's
  }

  /**
   * Refuses (with the reason) a cut back to {@code lsn} that cannot be made: a snapshot newer than
   * {@code lsn} holds the records, and the state at {@code lsn} cannot be rebuilt. Changes nothing.
   */
  public static void check(Path dir, long lsn) throws IOException {
    try (var list = Files.list(dir)) {
      check(lsn, list.filter(p -> p.toString().endsWith(".snap")).toList());
    }
  }

  private static void check(long lsn, List<Path> snapshots) throws IOException {
    for (Path snap : snapshots) {
      if (WalFileNames.isSnapshot(snap) && WalFileNames.lsnOf(snap) > lsn) {
        throw new IOException(
            "cannot cut the log back to LSN "
                + lsn
                + ": snapshot "
                + snap.getFileName()
                + " is newer");
      }
    }
  }

  /**
   * Cuts the log in {@code dir} (not open) back to LSN {@code lsn}: the segment holding {@code lsn
   * + 1} is truncated where that record starts, later segments are deleted. The caller keeps what
   * it cuts first (a replica's rollback file). Refused when a snapshot after {@code lsn} already
   * holds the records (the state at {@code lsn} cannot be rebuilt then).
   *
   * @throws IOException if a snapshot is newer than {@code lsn}, or the files cannot be changed
   */
  public static void truncateAfter(Path dir, long lsn) throws IOException {
    List<Path> segments;
    List<Path> snapshots;
    try (var list = Files.list(dir)) {
      List<Path> all = list.sorted().toList();
      segments = all.stream().filter(p -> p.toString().endsWith(".wal")).toList();
      snapshots = all.stream().filter(p -> p.toString().endsWith(".snap")).toList();
    }
    check(lsn, snapshots); // first: a refused cut changes nothing
    long cleanAt = CleanClose.consume(dir); // a crash while cutting is not a clean end
    for (Path seg : segments) {
      long first = WalFileNames.lsnOf(seg);
      if (first > lsn) {
        Files.delete(seg);
        continue;
      }
      long cutAt = -1;
      try (var reader = new SegmentReader(seg)) {
        WalRecord r;
        while ((r = reader.next()) != null) {
          if (r.lsn() == lsn) {
            cutAt = reader.validEnd();
          } else if (r.lsn() > lsn) {
            break;
          }
        }
        if (cutAt < 0 && first <= lsn) {
          continue; // this segment ends before lsn + 1
        }
      }
      try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
        ch.truncate(cutAt);
        ch.force(true);
      }
    }
    Fsync.directory(dir);
    if (cleanAt >= 0) {
      CleanClose.write(dir, Math.min(cleanAt, lsn)); // closed cleanly, now at the cut
    }
  }
}
