package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * fsync of a directory, so that a created, renamed or deleted name survives a power cut; and the
 * crash-safe replacement of a small file built on it.
 */
public final class Fsync {
  private Fsync() {}

  /**
   * Replaces {@code dir/name} with {@code contents} so that a crash leaves either the old file or
   * the new one, whole: written to {@code name.tmp} (which recovery deletes), fsynced, renamed, the
   * directory fsynced.
   */
  public static void replace(Path dir, String name, ByteBuffer contents) throws IOException {
    Path tmp = dir.resolve(name + WalFileNames.TMP_SUFFIX);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (contents.hasRemaining()) {
        ch.write(contents);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    directory(dir);
  }

  public static void directory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
