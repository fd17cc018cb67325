package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group committer's files: the active segment, the one 1 MiB buffer records go through ({@link
 * RecordWriter}: large records in chunks), rotation, fsync and seal.
 *
 * <p>Used by the writer thread alone (and by close, after the writer ended), so nothing here is
 * locked. A failed fsync or seal throws {@link SyncFailedException}, which is final (see {@link
 * GroupCommitter}); a failed write can be undone with {@link #cutBack}, so that the group can be
 * retried once the cause ({@link #mayGoAway}) went away.
 */
final class SegmentWriter {
  private static final Logger log = LoggerFactory.getLogger(SegmentWriter.class);

  /** Where a group began: what a failed write is cut back to. */
  record Mark(ActiveSegment segment, long size) {}

  private final String name;
  private final Path dir;
  private final GroupCommitter.Settings settings;
  private final GroupCommitter.Events events;
  private final CommitMetrics metrics;
  private final RecordWriter out = new RecordWriter();
  private ActiveSegment segment;
  private long unsyncedBytes; // 0 exactly when everything written is fsynced
  private long lastSyncNanos = System.nanoTime();

  SegmentWriter(
      String name,
      Path dir,
      ActiveSegment segment,
      GroupCommitter.Settings settings,
      GroupCommitter.Events events,
      CommitMetrics metrics) {
    this.name = name;
    this.dir = dir;
    this.settings = settings;
    this.events = events;
    this.metrics = metrics;
    this.segment = segment;
    segment.zeroFillUpTo(settings.segmentSize());
    out.target(segment);
  }

  /** Where the next group begins. */
  Mark mark() {
    return new Mark(segment, segment.size());
  }

  /**
   * Seals the active segment and starts the next one at {@code nextLsn} if the active one is full.
   *
   * @return true if it did: everything written is then fsynced
   */
  boolean rotateIfFull(long nextLsn) throws IOException {
    if (segment.size() < settings.segmentSize() || segment.size() <= SegmentHeader.SIZE) {
      return false;
    }
    // Sealed first, so that the next segment exists only once this one is complete on disk (a
    // power cut between the two must not leave a gap). If the next cannot be created (no space),
    // the sealed one stays active — appending after its last record is fine — and the group is
    // retried; a half-created file is removed.
    seal();
    ActiveSegment next;
    try {
      next = ActiveSegment.create(dir, nextLsn);
    } catch (IOException e) {
      Files.deleteIfExists(dir.resolve(WalFileNames.segmentName(nextLsn)));
      throw e;
    }
    segment.close();
    segment = next;
    segment.zeroFillUpTo(settings.segmentSize());
    out.target(segment);
    events.segmentCreated(nextLsn, segment.file());
    log.debug("[wal {}] rotated to segment {}", name, segment.file().getFileName());
    return true;
  }

  /**
   * Writes the group's records into the active segment (not synced).
   *
   * @return the bytes written
   */
  long write(List<Pending> group) throws IOException {
    settings.faults().beforeWrite(segment.file());
    long bytes = 0;
    for (Pending p : group) {
      out.write(p);
      bytes += p.encodedSize;
    }
    out.flush();
    unsyncedBytes += bytes;
    return bytes;
  }

  /**
   * Undoes a write that failed: drops what the buffer holds and cuts the file back to {@code mark}
   * (to an empty segment if a rotation happened since).
   */
  void cutBack(Mark mark) throws IOException {
    out.discard();
    segment.truncateTo(segment == mark.segment() ? mark.size() : SegmentHeader.SIZE);
  }

  /** Whether something was written since the last fsync. */
  boolean unsynced() {
    return unsyncedBytes > 0;
  }

  /** Time since the last fsync ended. */
  long nanosSinceSync() {
    return System.nanoTime() - lastSyncNanos;
  }

  /** Fsyncs the active segment, which holds every record not yet synced. */
  void sync() throws IOException {
    long start = System.nanoTime();
    try {
      settings.faults().beforeSync(segment.file());
      segment.force();
    } catch (IOException e) {
      throw SyncFailedException.of(e);
    }
    settings.faults().afterSync(segment.file(), segment.size());
    unsyncedBytes = 0;
    lastSyncNanos = System.nanoTime();
    metrics.fsynced(lastSyncNanos - start);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(lastSyncNanos - start);
    if (tookMs >= 1000) {
      log.warn("[wal {}] fsync took {} ms (disk busy?)", name, tookMs);
    }
  }

  /** Cuts the zeros off the active segment and syncs it with its size (every policy). */
  void seal() throws IOException {
    try {
      settings.faults().beforeSync(segment.file());
      segment.seal();
    } catch (IOException e) {
      throw SyncFailedException.of(e);
    }
    settings.faults().afterSync(segment.file(), segment.size());
    unsyncedBytes = 0;
  }

  void close() throws IOException {
    segment.close();
  }

  /**
   * Whether a failed write may succeed later without a restart: no space left, a quota, a file
   * system remounted read-only. Anything else (a closed channel, an I/O error) is final.
   */
  static boolean mayGoAway(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (t instanceof ClosedChannelException) {
        return false;
      }
      if (m != null
          && (m.contains("No space left on device")
              || m.contains("Disk quota exceeded")
              || m.contains("Read-only file system"))) {
        return true;
      }
    }
    return false;
  }
}
