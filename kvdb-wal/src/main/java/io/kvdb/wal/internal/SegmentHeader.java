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
 *  4     4    format version (1: this layout)
 *  8     8    first LSN of the segment (equals the LSN in the file name)
 * 16    12    reserved, zero
 * 28     4    crc32c of bytes [0, 28)
 * </pre>
 */
public final class SegmentHeader {
  public static final int SIZE = 32;
  public static final int MAGIC = 0x4B56574C;

  /** Version 1: the record layout of {@link RecordCodec}. */
  public static final int VERSION = 1;

  private SegmentHeader() {}

  public static ByteBuffer encode(long firstLsn) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC).putInt(VERSION).putLong(firstLsn);
    b.putInt(SIZE - 4, RecordCodec.crc(b, 0, SIZE - 4));
    b.position(0).limit(SIZE);
    return b;
  }

  /**
   * Reads and checks the header.
   *
   * @return the first LSN it names
   * @throws CorruptLogException if the header is short, damaged, or of an unknown version
   */
  public static long read(FileChannel ch, Path file) throws IOException {
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
    if (version != VERSION) {
      throw new CorruptLogException(
          file,
          4,
          "unsupported segment format version " + version + " (this build reads " + VERSION + ")");
    }
    return b.getLong(8);
  }
}
