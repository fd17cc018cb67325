package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogHistory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The {@code HISTORY} file of a WAL directory: which history its LSNs belong to (big-endian).
 *
 * <pre>
 * magic "KVHI" (4) | version 1 (4) | id (8) | previousId (8) | forkLsn (8) | crc32c of [0,32) (4)
 * </pre>
 *
 * Replaced whole: written to {@code HISTORY.tmp}, fsynced, renamed over {@code HISTORY}, directory
 * fsynced, so it is always one complete version. Stateless.
 */
public final class HistoryFile {
  public static final String NAME = "HISTORY";
  private static final int MAGIC = 0x4B564849;
  private static final int VERSION = 1;
  private static final int SIZE = 36;
  private static final SecureRandom RANDOM = new SecureRandom();

  private HistoryFile() {}

  /** A fresh random history id (never 0). */
  public static long newId() {
    long id;
    do {
      id = RANDOM.nextLong();
    } while (id == 0);
    return id;
  }

  /**
   * @return the history recorded in {@code dir}, or null when there is no file
   * @throws CorruptLogException if the file is damaged
   */
  public static LogHistory read(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length != SIZE
        || b.getInt(0) != MAGIC
        || RecordCodec.crc(b, 0, SIZE - 4) != b.getInt(SIZE - 4)) {
      throw new CorruptLogException(file, 0, "damaged history file");
    }
    if (b.getInt(4) != VERSION) {
      throw new CorruptLogException(file, 4, "unsupported history file version " + b.getInt(4));
    }
    return new LogHistory(b.getLong(8), b.getLong(16), b.getLong(24));
  }

  public static void write(Path dir, LogHistory h) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC).putInt(VERSION).putLong(h.id()).putLong(h.previousId()).putLong(h.forkLsn());
    b.putInt(SIZE - 4, RecordCodec.crc(b, 0, SIZE - 4));
    b.position(0).limit(SIZE);
    Path tmp = dir.resolve(NAME + WalFileNames.TMP_SUFFIX);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
    Fsync.directory(dir);
  }
}
