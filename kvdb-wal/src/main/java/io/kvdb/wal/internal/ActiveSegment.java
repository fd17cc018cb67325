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
 */
public final class ActiveSegment implements AutoCloseable {
  private final Path file;
  private final long firstLsn;
  private final FileChannel ch;
  private long size;

  private ActiveSegment(Path file, long firstLsn, FileChannel ch, long size) {
    this.file = file;
    this.firstLsn = firstLsn;
    this.ch = ch;
    this.size = size;
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
      return new ActiveSegment(file, firstLsn, ch, SegmentHeader.SIZE);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Reopens a recovered segment for appending after its last valid byte. */
  public static ActiveSegment reopen(Path file, long firstLsn, long validEnd) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    ch.position(validEnd);
    return new ActiveSegment(file, firstLsn, ch, validEnd);
  }

  public void write(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      size += ch.write(buf);
    }
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
