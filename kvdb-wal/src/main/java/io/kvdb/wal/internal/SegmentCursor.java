package io.kvdb.wal.internal;

import io.kvdb.core.spi.HistoryUnavailableException;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.WalRecord;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.LongSupplier;

/**
 * Reads records from segment files, from an LSN on, up to the durable LSN: the cursor a replication
 * source streams from. It reads the files, never the writer's memory, so it costs the writer
 * nothing. A segment that compaction deleted after the cursor opened it stays readable (the open
 * descriptor keeps it); one deleted before yields {@link HistoryUnavailableException}. So does a
 * gap: a segment that ends before the next one begins (recovery after a snapshot newer than the
 * log, files lost) — a missing LSN with later ones present is never "not written yet", so a slave
 * that needs it gets a full sync rather than waiting forever.
 *
 * <p>Not thread-safe.
 */
public final class SegmentCursor implements LogCursor {
  private final NavigableMap<Long, Path> segments;
  private final LongSupplier durableLsn;
  private long nextLsn;
  private SegmentReader reader;

  public SegmentCursor(NavigableMap<Long, Path> segments, LongSupplier durableLsn, long fromLsn)
      throws IOException {
    this.segments = segments;
    this.durableLsn = durableLsn;
    this.nextLsn = fromLsn;
    Map.Entry<Long, Path> first = segments.firstEntry();
    if (first == null || first.getKey() > fromLsn) {
      throw new HistoryUnavailableException(
          fromLsn, first == null ? durableLsn.getAsLong() + 1 : first.getKey());
    }
  }

  @Override
  public WalRecord next() throws IOException {
    boolean reread = false;
    while (nextLsn <= durableLsn.getAsLong()) {
      if (reader == null) {
        open(segments.floorEntry(nextLsn));
      }
      WalRecord r = reader.next();
      if (r == null) {
        Map.Entry<Long, Path> following = segments.higherEntry(reader.firstLsn());
        if (following == null || following.getKey() > nextLsn) {
          // The record is in this segment and written. What stopped the reader is what it
          // buffered earlier past the last record (zeros, or a record being copied in then):
          // read the file again, now and on the next call.
          reader.rereadFromValidEnd();
          if (!reread) {
            reread = true;
            continue;
          }
          if (following != null) {
            // This segment is complete (a later one exists) and ends before nextLsn, and the
            // next one starts after it: the log has a gap here.
            throw HistoryUnavailableException.gap(nextLsn, following.getKey());
          }
          return null; // written but not yet visible here: try again later
        }
        reader.close();
        reader = null;
        open(following);
        continue;
      }
      if (r.lsn() < nextLsn) {
        continue;
      }
      nextLsn = r.lsn() + 1;
      return r;
    }
    return null;
  }

  private void open(Map.Entry<Long, Path> segment) throws IOException {
    if (segment == null) {
      Map.Entry<Long, Path> first = segments.firstEntry();
      throw new HistoryUnavailableException(nextLsn, first == null ? nextLsn : first.getKey());
    }
    try {
      reader = new SegmentReader(segment.getValue());
    } catch (NoSuchFileException e) {
      Map.Entry<Long, Path> first = segments.firstEntry();
      throw new HistoryUnavailableException(nextLsn, first == null ? nextLsn : first.getKey());
    }
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
