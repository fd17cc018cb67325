package io.kvdb.replication.testing;

import io.kvdb.wal.WalFaults;
import io.kvdb.wal.internal.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The disk under one node's log, for fault runs: its fsyncs can stall and its writes can fail with
 * "No space left on device" for a while (both end on their own, so every wait ends), and it
 * remembers what each fsync made durable so a crash can be played back on the files:
 *
 * <ul>
 *   <li>{@link #freeze} copies the directory as a SIGKILL at this instant leaves it (the OS keeps
 *       what was written; the writer's queue is gone) or as a power cut leaves it (each segment cut
 *       to its last fsync);
 *   <li>after the node is closed, {@link Frozen#restore} puts that copy in place of the directory,
 *       so nothing the node did after the crash instant survives.
 * </ul>
 */
public final class FaultyDisk implements WalFaults {
  private final Map<Path, Long> synced = new ConcurrentHashMap<>();
  private volatile long stallUntil;
  private volatile long fullUntil;

  /** Every fsync waits until {@code millis} from now. */
  public void stallFor(long millis) {
    stallUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Every write fails as on a full disk until {@code millis} from now. */
  public void fullFor(long millis) {
    fullUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Ends both faults now. */
  public void heal() {
    long now = System.nanoTime();
    stallUntil = now;
    fullUntil = now;
  }

  @Override
  public void beforeWrite(Path segment) throws IOException {
    if (System.nanoTime() - fullUntil < 0) {
      throw new IOException("No space left on device");
    }
  }

  @Override
  public void beforeSync(Path segment) {
    long left;
    while ((left = stallUntil - System.nanoTime()) > 0) {
      LockSupport.parkNanos(this, left);
    }
  }

  @Override
  public void afterSync(Path segment, long durableBytes) {
    synced.put(segment.toAbsolutePath(), durableBytes);
  }

  /**
   * The state of {@code dir} as a crash at this instant leaves it: a copy taken now (a file being
   * appended is copied as far as it got, which may tear its last record, as a crash may); for a
   * power cut each segment is cut to its last fsync.
   */
  public Frozen freeze(Path dir, boolean powerCut) {
    Path copy = dir.resolveSibling(dir.getFileName() + ".crash");
    try {
      deleteTree(copy);
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
                throws IOException {
              Files.createDirectories(copy.resolve(dir.relativize(d).toString()));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) throws IOException {
              if (!p.getFileName().toString().equals("LOCK")) {
                try {
                  copyFile(p, copy.resolve(dir.relativize(p).toString()), powerCut);
                } catch (NoSuchFileException gone) {
                  // removed while we looked: not part of the state
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // removed while we looked
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Frozen(dir, copy);
  }

  private void copyFile(Path p, Path to, boolean powerCut) throws IOException {
    Files.copy(p, to);
    if (powerCut && p.getFileName().toString().endsWith(".wal")) {
      // A segment not fsynced since its creation keeps its header (synced then).
      long keep = synced.getOrDefault(p.toAbsolutePath(), (long) SegmentHeader.SIZE);
      try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
        if (ch.size() > keep) {
          ch.truncate(keep);
        }
      }
    }
  }

  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A node's directory as a crash left it, kept aside until the node is closed. */
  public record Frozen(Path dir, Path copy) {
    /** Puts the crashed state in place of the (closed) node's directory. */
    public void restore() throws IOException {
      deleteTree(dir);
      Files.move(copy, dir);
    }
  }
}
