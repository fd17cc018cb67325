package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code LOCK} file of a WAL directory, held (an fcntl lock, released by the OS if the process
 * dies) while one store has the directory open, so a second store — in this JVM or another — is
 * refused instead of interleaving records. Released last on close, once nothing of the log runs.
 */
public final class DirectoryLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dir}.
   *
   * @throws IOException naming the directory and the lock file if another store holds it
   */
  public static DirectoryLock acquire(Path dir) throws IOException {
    Path lockFile = dir.resolve(WalFileNames.LOCK_FILE);
    FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException(
          "the WAL directory "
              + dir.toAbsolutePath()
              + " is already in use by another store (lock file "
              + lockFile.toAbsolutePath()
              + " is held)");
    }
    return new DirectoryLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
