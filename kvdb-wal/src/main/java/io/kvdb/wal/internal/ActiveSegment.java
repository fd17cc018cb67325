package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The segment being appended to. Creating one follows the crash-safe order: create the file
 * exclusively, write and fsync its header, then fsync the directory so the new name survives a
 * power cut. Not thread-safe: owned by the writer thread.
 *
 * <h2>Zero-filled space ahead of the records</h2>
 *
 * The file is kept filled with zeros ({@value #ZERO_FILL} bytes at a time) ahead of the last
 * record. An append then overwrites blocks that are already allocated inside the file's size, so
 * its fdatasync flushes data only; an append that grows the file also changes its size and extents,
 * and every such fdatasync waits for a journal commit (DurablePutBenchmark's raw write+fdatasync
 * loop runs 1.17–1.39x faster over a zero-filled file, docs/benchmarks.md; PostgreSQL zero-fills
 * its WAL segments for the same reason). The zeros cost one slower sync per {@value #ZERO_FILL}
 * bytes of log. Readers stop at a record header of zeros; recovery accepts a tail of zeros after
 * the last record as clean (see {@link SegmentReader#onlyZerosFrom}); sealing a segment cuts the
 * zeros off.
 */
public final class ActiveSegment implements AutoCloseable {
  /** How far ahead of the records the file is zero-filled, and the step it grows by. */
  static final int ZERO_FILL = 1 << 20;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);

  private final Path file;
  private final long firstLsn;
  private final FileChannel ch;
  private long size;
  private long filledEnd; // file size: records up to size, zeros up to filledEnd
  private long fillLimit; // zero-fill no further than this (the segment's rotation size)

  private ActiveSegment(Path file, long firstLsn, FileChannel ch, long size, long filledEnd) {
    this.file = file;
    this.firstLsn = firstLsn;
    this.ch = ch;
    this.size = size;
    this.filledEnd = filledEnd;
  }

  /** Creates a new, empty segment whose first record will have {@code firstLsn}. */
  public static ActiveSegment create(Path dir, long firstLsn) throws IOException {
    Path file = dir.resolve(WalFileNames.segmentName(firstLsn));
    FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = SegmentHeader.encode(firstLsn);
      while (header.hasRemaining()) {
        ch.write(header);
      }
      ch.force(true);
      Fsync.directory(dir);
      return new ActiveSegment(file, firstLsn, ch, SegmentHeader.SIZE, SegmentHeader.SIZE);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * Reopens a recovered segment for appending after its last valid byte; everything after it is
   * zeros (recovery checked that, or truncated the file there).
   */
  public static ActiveSegment reopen(Path file, long firstLsn, long validEnd) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    try {
      ch.position(validEnd);
      return new ActiveSegment(file, firstLsn, ch, validEnd, Math.max(validEnd, ch.size()));
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Zero-fills ahead of the records up to {@code bytes} (0, the default: never). */
  public void zeroFillUpTo(long bytes) {
    this.fillLimit = bytes;
  }

  /** Appends {@code buf} after the last record, zero-filling further ahead first if needed. */
  public void write(ByteBuffer buf) throws IOException {
    long end = size + buf.remaining();
    if (end > filledEnd && fillLimit > end) {
      zeroFill(end, Math.min(end + ZERO_FILL, fillLimit));
    }
    while (buf.hasRemaining()) {
      size += ch.write(buf);
    }
  }

  /** Writes zeros over [from, to) with positional writes (the append position is untouched). */
  private void zeroFill(long from, long to) throws IOException {
    long at = from;
    while (at < to) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), to - at));
      at += ch.write(z, at);
    }
    filledEnd = to;
  }

  /**
   * Cuts the zeros off and syncs the file with its size: a sealed segment ends at its last record.
   */
  public void seal() throws IOException {
    if (filledEnd > size) {
      ch.truncate(size);
      filledEnd = size;
    }
    ch.force(true);
  }

  /**
   * Cuts the file back to {@code length} bytes (the end of the last good record) after a write that
   * failed part-way, so that the next write continues right after it.
   */
  public void truncateTo(long length) throws IOException {
    ch.truncate(length);
    ch.position(length);
    size = length;
    filledEnd = length;
  }

  /** fdatasync: the data and the size needed to read it back, not the mtime. */
  public void force() throws IOException {
    ch.force(false);
  }

  public long size() {
    return size;
  }

  public long firstLsn() {
    return firstLsn;
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
