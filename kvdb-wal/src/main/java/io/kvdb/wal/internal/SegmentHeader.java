package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The 32-byte header that opens every segment file (big-endian):
 *
 * <pre>
 * offset size field
 *  0     4    magic "KVWL" (0x4B56574C)
 *  4     4    format version (3: records may be EXPIRE; 2: may be BATCH; 1: neither; all read)
 *  8     8    first LSN of the segment (equals the LSN in the file name)
 * 16    12    reserved, zero
 * 28     4    crc32c of bytes [0, 28)
 * </pre>
 */
public final class SegmentHeader {
  public static final int SIZE = 32;
  public static final int MAGIC = 0x4B56574C;

  /**
   * Version 3: the record layout of {@link RecordCodec}, with BATCH (type 4) and EXPIRE (type 5)
   * records. Versions 2 (no EXPIRE) and 1 (no BATCH either), the same layout, are still read; new
   * records are never appended to an older segment, so a build that reads only version 2 never
   * meets a record type it does not know: it refuses the whole segment by its version instead.
   */
  public static final int VERSION = 3;

  /** The oldest version this build reads. */
  public static final int OLDEST_READABLE = 1;

  /** What a header says. */
  public record Info(long firstLsn, int version) {}

  private SegmentHeader() {}

  public static ByteBuffer encode(long firstLsn) {
    return encode(firstLsn, VERSION);
  }

  /** A header of a given version (tests write version 1 segments with it). */
  public static ByteBuffer encode(long firstLsn, int version) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC).putInt(version).putLong(firstLsn);
    b.putInt(SIZE - 4, RecordCodec.crc(b, 0, SIZE - 4));
    b.position(0).limit(SIZE);
    return b;
  }

  /**
   * Reads and checks the header.
   *
   * @return the first LSN it names and the format version
   * @throws CorruptLogException if the header is short, damaged, or of an unknown version
   */
  public static Info read(FileChannel ch, Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    while (b.hasRemaining()) {
      if (ch.read(b, b.position()) < 0) {
        throw new CorruptLogException(
            file, 0, "segment header is cut short (" + b.position() + " of " + SIZE + " bytes)");
      }
    }
    if (b.getInt(0) != MAGIC) {
      throw new CorruptLogException(file, 0, "not a kvdb segment (bad magic)");
    }
    if (RecordCodec.crc(b, 0, SIZE - 4) != b.getInt(SIZE - 4)) {
      throw new CorruptLogException(file, 0, "segment header checksum mismatch");
    }
    int version = b.getInt(4);
    if (version < OLDEST_READABLE || version > VERSION) {
      throw new CorruptLogException(
          file,
          4,
          "unsupported segment format version "
              + version
              + " (this build reads "
              + OLDEST_READABLE
              + " to "
              + VERSION
              + ")");
    }
    return new Info(b.getLong(8), version);
  }
}
