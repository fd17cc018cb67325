package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code CLEAN} file: written (fsynced, renamed, directory fsynced) by a close that finished
 * every write, naming the log's last LSN; consumed — read and deleted, the directory fsynced — by
 * the next open before it appends anything.
 *
 * <p>Why a file: under {@code everysec}/{@code never} a power cut may take the unsynced tail of the
 * last segment, and when the cut falls on a record boundary (the file's size not yet grown past it,
 * or no zeros ahead of it) no check of the segment can tell. Records that were handed out
 * (acknowledged, shipped to slaves) would then be reissued with the same LSNs and different
 * contents. With the marker, a log is known to have ended cleanly only when it says so for exactly
 * the LSN recovery reached; anything else is an unclean end, and the history forks.
 *
 * <p>Format: 8 bytes last LSN, 4 bytes CRC32C of them (big-endian).
 */
public final class CleanClose {
  public static final String FILE = "CLEAN";
  private static final int SIZE = 12;

  private CleanClose() {}

  /** Records that the log in {@code dir} was closed cleanly at {@code lastLsn}. */
  public static void write(Path dir, long lastLsn) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putLong(lastLsn);
    b.putInt(RecordCodec.crc(b, 0, 8));
    b.flip();
    Fsync.replace(dir, FILE, b);
  }

  /**
   * The LSN a clean close recorded, or -1 (none, or damaged); the file is deleted and the directory
   * fsynced, so a crash from here on is never taken for a clean end.
   */
  public static long consume(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return -1;
    }
    long lsn = -1;
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length == SIZE) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      if (b.getInt(8) == RecordCodec.crc(b, 0, 8)) {
        lsn = b.getLong(0);
      }
    }
    Files.delete(file);
    Fsync.directory(dir);
    return lsn;
  }
}
