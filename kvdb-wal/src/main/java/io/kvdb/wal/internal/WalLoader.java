package io.kvdb.wal.internal;

import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers a WAL directory on open, in passes:
 *
 * <ol>
 *   <li>Delete {@code .tmp} files (unfinished snapshots).
 *   <li>Load the newest snapshot, if any; its LSN is S.
 *   <li>Replay segments in LSN order from the one holding S+1, checking that LSNs are contiguous
 *       within and across segments. Segments wholly at or below S are not read.
 *   <li>A bad record in the last segment with no valid record after it is a torn write: truncate
 *       there, log one WARN with file, offset and bytes dropped. A bad record anywhere else is
 *       corruption: refuse to open, naming file and offset (unless truncation was explicitly
 *       allowed, which drops everything from that point).
 *   <li>Reopen the last segment for appending, or start a new one.
 * </ol>
 *
 * A snapshot (from S, walk ended at E) is published only after every record up to E was fsynced, so
 * the log normally reaches past E. If it does not (a log truncated at corruption, files lost by
 * hand), the state is the snapshot plus a replay that stopped short of E — not a state the history
 * ever had: that is logged as an ERROR and counted in {@code recordsDropped}, and appends continue
 * in a new segment at E+1, so no LSN the snapshot may hold is ever handed out again.
 *
 * <p>The report counts what recovery dropped ({@code recordsDropped}): a torn record at the tail,
 * every record after corruption when truncation was allowed, the LSNs up to E the log lacked. Any
 * of them means the history forked at {@code lastLsn}.
 *
 * <p>Segments of an older format version are read but never appended to: appends continue in a new
 * segment of the current version.
 */
public final class WalLoader {
  private static final Logger log = LoggerFactory.getLogger(WalLoader.class);

  private WalLoader() {}

  /** Where a repair keeps what it cut: {@code cut-<epoch millis of the load>} in the directory. */
  private static Path cutDirectory(Path dir, String cutName) throws IOException {
    Path cut = dir.resolve(cutName);
    Files.createDirectories(cut);
    return cut;
  }

  /** Copies the bytes of {@code file} from {@code at} on into the cut directory, fsynced. */
  private static void keepCut(Path dir, String cutName, Path file, long at, String name)
      throws IOException {
    Path cut = cutDirectory(dir, cutName);
    Path kept = cut.resolve(file.getFileName() + ".from-" + at);
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(kept, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long size = in.size();
      long pos = at;
      while (pos < size) {
        pos += in.transferTo(pos, size - pos, out);
      }
      out.force(true);
    }
    Fsync.directory(cut);
    Fsync.directory(dir);
    log.warn(
        "[wal {}] kept the {} bytes cut from {} at offset {} in {}",
        name,
        Files.size(kept),
        file.getFileName(),
        at,
        kept);
  }

  /** The recovered log, ready to append to. */
  /**
   * The recovered log, ready to append to.
   *
   * @param intactLsn the last LSN whose record the log still holds (below {@code lastLsn} only when
   *     recovery went on after a snapshot's end that the log lacked)
   * @param cleanEnd whether the last segment ends without a zero-filled or torn tail. A crash under
   *     EVERYSEC or NEVER may also have lost unsynced records that ended on a record boundary,
   *     which no check of the segment can see: only the {@link CleanClose} marker tells a clean end
   *     (the caller checks both).
   */
  public record Loaded(
      RecoveryReport report,
      ActiveSegment active,
      long lastLsn,
      TreeMap<Long, Path> segments,
      long snapshotLsn,
      long bytesAfterSnapshot,
      long intactLsn,
      boolean cleanEnd) {}

  public static Loaded load(
      Path dir, StoreState state, boolean truncateCorruption, long preloaded, String name)
      throws IOException {
    long start = System.nanoTime();
    String cutName = "cut-" + System.currentTimeMillis();
    TreeMap<Long, Path> segments = new TreeMap<>();
    TreeMap<Long, Path> snapshots = new TreeMap<>();
    List<Path> temporary = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          p -> {
            if (WalFileNames.isTemporary(p)) {
              temporary.add(p);
            } else if (WalFileNames.isSegment(p)) {
              segments.put(WalFileNames.lsnOf(p), p);
            } else if (WalFileNames.isSnapshot(p)) {
              snapshots.put(WalFileNames.lsnOf(p), p);
            }
          });
    }
    for (Path p : temporary) {
      Files.deleteIfExists(p);
      log.info("[wal {}] removed unfinished file {}", name, p.getFileName());
    }
    if (!temporary.isEmpty()) {
      Fsync.directory(dir);
    }

    long snapLsn = 0;
    long snapEnd = 0;
    long snapEntries = 0;
    if (!snapshots.isEmpty()) {
      Map.Entry<Long, Path> newest = snapshots.lastEntry();
      long lsn = newest.getKey();
      SnapshotFile.Loaded snap =
          lsn == preloaded
              ? SnapshotFile.readHeader(newest.getValue(), lsn) // its entries are in state already
              : SnapshotFile.read(
                  newest.getValue(),
                  lsn,
                  (k, v, exp) -> state.apply(new WalRecord(lsn, RecordType.PUT, k, v, exp)));
      snapEntries = snap.entries();
      snapLsn = lsn;
      snapEnd = snap.endLsn();
    }

    Long floor = segments.floorKey(snapLsn + 1);
    if (floor == null && !segments.isEmpty()) {
      Path first = segments.firstEntry().getValue();
      throw new CorruptLogException(
          first,
          0,
          "LSN gap: the log starts at LSN "
              + segments.firstKey()
              + " but "
              + (snapLsn == 0 ? "there is no snapshot" : "the snapshot ends at LSN " + snapLsn));
    }
    long replayed = 0;
    long truncated = 0;
    long dropped = 0;
    int lastSegmentVersion = SegmentHeader.VERSION;
    boolean cleanEnd = true;
    long bytesAfterSnapshot = 0;
    long lastLsn = snapLsn;
    long lastSegmentEnd = -1;
    long lastSegmentLast = -1;
    List<Long> order =
        floor == null ? List.of() : new ArrayList<>(segments.tailMap(floor, true).keySet());
    for (int i = 0; i < order.size(); i++) {
      long nameLsn = order.get(i);
      Path file = segments.get(nameLsn);
      boolean isLast = i == order.size() - 1;
      SegmentReader reader;
      try {
        reader = new SegmentReader(file);
      } catch (CorruptLogException e) {
        if (isLast && Files.size(file) <= SegmentHeader.SIZE) {
          // Crash while creating the segment, before anything was written to it.
          Files.delete(file);
          Fsync.directory(dir);
          segments.remove(nameLsn);
          log.warn(
              "[wal {}] removed incomplete new segment {} ({})",
              name,
              file.getFileName(),
              e.getMessage());
          break;
        }
        throw e;
      }
      try (reader) {
        if (reader.firstLsn() != nameLsn) {
          throw new CorruptLogException(
              file,
              8,
              "segment header names LSN " + reader.firstLsn() + ", its file name " + nameLsn);
        }
        if (i > 0 && nameLsn != lastLsn + 1) {
          if (nameLsn == snapEnd + 1 && lastLsn < snapEnd) {
            // The fork an earlier recovery made (see the class note): it went on at E+1.
            log.warn(
                "[wal {}] the log skips from LSN {} to {}, the end of snapshot {}: recovered before as a fork",
                name,
                lastLsn,
                nameLsn,
                snapLsn);
            dropped += snapEnd - lastLsn;
            lastLsn = snapEnd;
          } else {
            throw new CorruptLogException(
                file, 0, "LSN gap: the log before this segment ends at LSN " + lastLsn);
          }
        }
        long segLast = nameLsn - 1;
        while (true) {
          long at = reader.validEnd();
          WalRecord r = reader.next();
          if (r == null) {
            break;
          }
          if (r.lsn() != segLast + 1) {
            throw new CorruptLogException(
                file,
                at,
                "LSN gap: record has LSN " + r.lsn() + " where " + (segLast + 1) + " was expected");
          }
          segLast = r.lsn();
          if (r.lsn() > snapLsn) {
            state.apply(r);
            replayed++;
          }
        }
        if (isLast) {
          cleanEnd = reader.problem() == null;
        }
        if (reader.problem() != null && reader.onlyZerosFrom(reader.validEnd())) {
          log.debug(
              "[wal {}] {} ends at offset {}, zero-filled after it",
              name,
              file.getFileName(),
              reader.validEnd());
        } else if (reader.problem() != null) {
          long at = reader.validEnd();
          long size = reader.fileSize();
          boolean torn = isLast && !reader.validRecordAfter(at, segLast);
          if (!torn && !truncateCorruption) {
            throw new CorruptLogException(
                file,
                at,
                reader.problem()
                    + (isLast ? ", with valid records after it" : " in a sealed segment")
                    + " (`java -jar kvdb-server.jar repair --data-dir "
                    + dir
                    + "` cuts the log here and keeps what it cut in a cut-* directory; embedded:"
                    + " SegmentedWalBuilder.truncateCorruption)");
          }
          if (!torn) {
            keepCut(dir, cutName, file, at, name); // never delete what may be the only copy
          }
          truncate(file, at);
          truncated += size - at;
          dropped += 1 + (torn ? 0 : reader.recordsAfter(at, segLast));
          if (torn) {
            log.atWarn()
                .addKeyValue("wal", name)
                .addKeyValue("file", file.getFileName().toString())
                .addKeyValue("offset", at)
                .addKeyValue("bytes", size - at)
                .log(
                    "[wal {}] torn tail in {} at offset {}: dropped {} bytes ({})",
                    name,
                    file.getFileName(),
                    at,
                    size - at,
                    reader.problem());
          } else {
            log.atError()
                .addKeyValue("wal", name)
                .addKeyValue("file", file.getFileName().toString())
                .addKeyValue("offset", at)
                .addKeyValue("bytes", size - at)
                .log(
                    "[wal {}] CORRUPTION in {} at offset {} ({}): truncation allowed, cutting {} bytes and every later segment (kept in a cut-* directory)",
                    name,
                    file.getFileName(),
                    at,
                    reader.problem(),
                    size - at);
            for (int j = i + 1; j < order.size(); j++) {
              Path later = segments.remove(order.get(j));
              truncated += Files.size(later);
              dropped += countRecords(later);
              Path kept = cutDirectory(dir, cutName).resolve(later.getFileName());
              Files.move(later, kept);
              log.warn(
                  "[wal {}] moved the later segment {} to {}", name, later.getFileName(), kept);
            }
            Fsync.directory(dir);
            isLast = true;
          }
        }
        bytesAfterSnapshot += reader.validEnd();
        lastLsn = Math.max(snapLsn, segLast);
        lastSegmentEnd = reader.validEnd();
        lastSegmentLast = segLast;
        lastSegmentVersion = reader.version();
        if (isLast) {
          break;
        }
      }
    }

    long intactLsn = lastLsn;
    if (lastLsn < snapEnd) {
      log.error(
          "[wal {}] the log ends at LSN {} but the snapshot at LSN {} may hold writes up to LSN {}: the recovered state mixes LSNs {} to {} partially; continuing at LSN {} (a new history)",
          name,
          lastLsn,
          snapLsn,
          snapEnd,
          lastLsn + 1,
          snapEnd,
          snapEnd + 1);
      dropped += snapEnd - lastLsn;
      lastLsn = snapEnd;
    }
    ActiveSegment active;
    if (!segments.isEmpty()
        && lastSegmentLast == lastLsn
        && lastSegmentEnd >= 0
        && lastSegmentVersion == SegmentHeader.VERSION) {
      Map.Entry<Long, Path> tail = segments.lastEntry();
      active = ActiveSegment.reopen(tail.getValue(), tail.getKey(), lastSegmentEnd);
    } else {
      if (!segments.isEmpty() && lastSegmentLast == lastLsn && lastSegmentEnd >= 0) {
        // An older-format tail: seal it where its records end (cutting its zeros off) and go on
        // in a new segment of this version.
        truncate(segments.lastEntry().getValue(), lastSegmentEnd);
        log.info(
            "[wal {}] segment {} is format version {}: appending in a new version {} segment",
            name,
            segments.lastEntry().getValue().getFileName(),
            lastSegmentVersion,
            SegmentHeader.VERSION);
      }
      active = ActiveSegment.create(dir, lastLsn + 1);
      segments.put(lastLsn + 1, active.file());
    }
    RecoveryReport report =
        new RecoveryReport(
            snapLsn,
            snapEnd,
            snapEntries,
            replayed,
            lastLsn,
            truncated,
            dropped,
            Duration.ofNanos(System.nanoTime() - start));
    return new Loaded(
        report, active, lastLsn, segments, snapLsn, bytesAfterSnapshot, intactLsn, cleanEnd);
  }

  /** The valid records a segment holds, read until its first bad one. */
  private static long countRecords(Path file) {
    long n = 0;
    try (SegmentReader r = new SegmentReader(file)) {
      while (r.next() != null) {
        n++;
      }
    } catch (IOException e) {
      // A damaged header: nothing readable in it.
    }
    return n;
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
      ch.force(true);
    }
  }
}
