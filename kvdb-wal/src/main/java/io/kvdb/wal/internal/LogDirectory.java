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
 * What is done to a log directory that is not open: one created from a snapshot ({@code
 * SegmentedWal.createFromSnapshot}), cut back to an LSN ({@code SegmentedWal.truncateAfter}).
 */
public final class LogDirectory {
  private LogDirectory() {}

  /** See {@code SegmentedWal.createFromSnapshot}. */
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
