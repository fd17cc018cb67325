package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogHistory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The {@code HISTORY} file of a WAL directory: which history its LSNs belong to (big-endian).
 *
 * <pre>
 * version 2: magic "KVHI" (4) | 2 (4) | id (8) | previousId (8) | forkLsn (8) | flags (4)
 *            | crc32c of [0,36) (4)
 * version 1: magic "KVHI" (4) | 1 (4) | id (8) | previousId (8) | forkLsn (8) | crc32c of [0,32) (4)
 * </pre>
 *
 * Flag bit 0, {@code follower}: the log's records were received from a master (a slave's log, or a
 * full sync's), so losing its tail leaves it behind its master, never diverged. Version 1 files (no
 * flags) are read as not following. Always written as version 2.
 *
 * <p>Replaced whole: written to {@code HISTORY.tmp}, fsynced, renamed over {@code HISTORY},
 * directory fsynced, so it is always one complete version. Stateless.
 */
public final class HistoryFile {
  public static final String NAME = "HISTORY";
  private static final int MAGIC = 0x4B564849;
  private static final int VERSION = 2;
  private static final int SIZE = 40;
  private static final int SIZE_V1 = 36;
  private static final int FOLLOWER = 1;
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

  /** What a HISTORY file holds: the history, and whether the log follows a master's. */
  public record Stored(LogHistory history, boolean follower) {}

  /**
   * @return the history recorded in {@code dir}, or null when there is no file
   * @throws CorruptLogException if the file is damaged
   */
  public static LogHistory read(Path dir) throws IOException {
    Stored s = readStored(dir);
    return s == null ? null : s.history();
  }

  /**
   * @return what {@code dir}'s HISTORY file holds, or null when there is no file
   * @throws CorruptLogException if the file is damaged
   */
  public static Stored readStored(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < 8 || b.getInt(0) != MAGIC) {
      throw new CorruptLogException(file, 0, "damaged history file");
    }
    int version = b.getInt(4);
    int size =
        switch (version) {
          case 1 -> SIZE_V1;
          case VERSION -> SIZE;
          default ->
              throw new CorruptLogException(file, 4, "unsupported history file version " + version);
        };
    if (bytes.length != size || RecordCodec.crc(b, 0, size - 4) != b.getInt(size - 4)) {
      throw new CorruptLogException(file, 0, "damaged history file");
    }
    boolean follower = version >= 2 && (b.getInt(32) & FOLLOWER) != 0;
    return new Stored(new LogHistory(b.getLong(8), b.getLong(16), b.getLong(24)), follower);
  }

  public static void write(Path dir, LogHistory h, boolean follower) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC).putInt(VERSION).putLong(h.id()).putLong(h.previousId()).putLong(h.forkLsn());
    b.putInt(follower ? FOLLOWER : 0);
    b.putInt(SIZE - 4, RecordCodec.crc(b, 0, SIZE - 4));
    b.position(0).limit(SIZE);
    Fsync.replace(dir, NAME, b);
  }
}
