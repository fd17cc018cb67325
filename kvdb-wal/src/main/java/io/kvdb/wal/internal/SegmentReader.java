package io.kvdb.wal.internal;

import io.kvdb.core.spi.WalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the records of one segment file in order, through a large buffer (recovery speed is
 * dominated by syscalls otherwise). {@link #next()} returns null at the end of the valid records;
 * {@link #problem()} then says whether the file ended cleanly or why the bytes at {@link
 * #validEnd()} are not a valid record. It never decides whether that is a torn tail or corruption:
 * that depends on where the segment sits in the log, which is {@link WalLoader}'s business.
 *
 * <p>Not thread-safe.
 */
public final class SegmentReader implements AutoCloseable {
  private static final int BUFFER = 1 << 20;
  private static final String ZEROS = "record header is zeros";

  private final Path file;
  private final FileChannel ch;
  private final long firstLsn;
  private final int version;
  private ByteBuffer buf = ByteBuffer.allocate(BUFFER);
  private long bufFileOffset; // file offset of buf[0]
  private int pos;
  private String problem;

  public SegmentReader(Path file) throws IOException {
    this.file = file;
    this.ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      SegmentHeader.Info header = SegmentHeader.read(ch, file);
      this.firstLsn = header.firstLsn();
      this.version = header.version();
      ch.position(SegmentHeader.SIZE);
      bufFileOffset = SegmentHeader.SIZE;
      buf.limit(0);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  public long firstLsn() {
    return firstLsn;
  }

  public Path file() {
    return file;
  }

  /** The segment's format version. */
  public int version() {
    return version;
  }

  /** The file offset just after the last valid record read. */
  public long validEnd() {
    return bufFileOffset + pos;
  }

  /** Why reading stopped before the end of the file, or null if it has not (or ended cleanly). */
  public String problem() {
    return problem;
  }

  /** The size of the file now. */
  public long fileSize() throws IOException {
    return ch.size();
  }

  /**
   * @return the next valid record, or null at the end of the valid records
   */
  public WalRecord next() throws IOException {
    if (problem != null) {
      return null;
    }
    if (!ensure(RecordCodec.PREFIX)) {
      if (buf.limit() - pos > 0) {
        problem = "record prefix cut short";
      }
      return null;
    }
    if (buf.getLong(pos) == 0) {
      // Zero-filled space ahead of the records (ActiveSegment): the end of what was written.
      problem = ZEROS;
      return null;
    }
    long bodyLength = buf.getInt(pos + 4) & 0xFFFF_FFFFL;
    if (bodyLength < RecordCodec.FIXED_BODY || bodyLength > RecordCodec.MAX_BODY) {
      problem = "invalid record length " + bodyLength;
      return null;
    }
    if (!ensure(RecordCodec.PREFIX + (int) bodyLength)) {
      problem = "record cut short";
      return null;
    }
    WalRecord r = RecordCodec.decode(buf, pos, (int) bodyLength);
    if (r == null) {
      problem = "record checksum mismatch";
      return null;
    }
    pos += RecordCodec.PREFIX + (int) bodyLength;
    return r;
  }

  /** Makes at least {@code n} bytes available from {@code pos}; false if the file ends first. */
  private boolean ensure(int n) throws IOException {
    if (buf.limit() - pos >= n) {
      return true;
    }
    // Move the unread bytes to the front (into a larger buffer for a record larger than this one).
    buf.position(pos);
    if (n > buf.capacity()) {
      ByteBuffer larger = ByteBuffer.allocate(n);
      larger.put(buf);
      buf = larger;
    } else {
      buf.compact();
    }
    bufFileOffset += pos;
    pos = 0;
    while (buf.position() < n) {
      if (ch.read(buf) < 0) {
        break; // not sticky: a cursor tailing the active segment reads again later
      }
    }
    buf.flip();
    return buf.limit() >= n;
  }

  /**
   * Whether every byte from {@code offset} to the end of the file is zero: the unused, zero-filled
   * space of an active segment, not damage.
   */
  public boolean onlyZerosFrom(long offset) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(BUFFER);
    long at = offset;
    while (true) {
      chunk.clear();
      int n = ch.read(chunk, at);
      if (n < 0) {
        return true;
      }
      for (int i = 0; i < n; i++) {
        if (chunk.get(i) != 0) {
          return false;
        }
      }
      at += n;
    }
  }

  /**
   * Forgets the buffered bytes after {@link #validEnd()} and the reason reading stopped, so that
   * the next {@link #next()} reads the file again from there. A reader tailing the active segment
   * needs this: what it buffered beyond the last record may be zeros, or a record the writer was
   * still copying in, that have been overwritten since.
   */
  public void rereadFromValidEnd() throws IOException {
    problem = null;
    buf.limit(pos);
    ch.position(validEnd());
  }

  /**
   * Whether any valid record with an LSN above {@code afterLsn} starts somewhere after {@code
   * offset}: if so, the damage at {@code offset} is not a torn tail but lost data in the middle.
   */
  public boolean validRecordAfter(long offset, long afterLsn) throws IOException {
    return recordsAfter(offset, afterLsn, true) > 0;
  }

  /**
   * How many valid records with LSNs above {@code afterLsn} start after {@code offset} (scanning
   * byte by byte past the damage, and from each record found to its end): what truncating at {@code
   * offset} drops besides the damaged record itself.
   */
  public long recordsAfter(long offset, long afterLsn) throws IOException {
    return recordsAfter(offset, afterLsn, false);
  }

  private long recordsAfter(long offset, long afterLsn, boolean firstOnly) throws IOException {
    long size = ch.size();
    if (size - offset > Integer.MAX_VALUE - 16) {
      return 1; // too much to be one torn write (and too much to scan in memory)
    }
    ByteBuffer rest = ByteBuffer.allocate((int) (size - offset));
    while (rest.hasRemaining() && ch.read(rest, offset + rest.position()) >= 0) {
      // read fully
    }
    rest.flip();
    long found = 0;
    for (int p = 1; p + RecordCodec.OVERHEAD <= rest.limit(); p++) {
      long bodyLength = rest.getInt(p + 4) & 0xFFFF_FFFFL;
      if (bodyLength < RecordCodec.FIXED_BODY
          || p + RecordCodec.PREFIX + bodyLength > rest.limit()) {
        continue;
      }
      long lsn = rest.getLong(p + RecordCodec.PREFIX);
      if (lsn <= afterLsn || lsn > afterLsn + Integer.MAX_VALUE) {
        continue;
      }
      if (RecordCodec.decode(rest, p, (int) bodyLength) != null) {
        found++;
        if (firstOnly) {
          return found;
        }
        p += RecordCodec.PREFIX + (int) bodyLength - 1;
      }
    }
    return found;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
