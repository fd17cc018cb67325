package io.kvdb.replication.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a slave builds a full sync, and how it switches to it, all <em>inside</em> its data
 * directory {@code D}: the data directory is often a mount point (a Docker volume, a Kubernetes PV,
 * a disk of its own), which can be neither renamed nor given siblings on the same device.
 *
 * <h2>Layout and switch</h2>
 *
 * The new state is built in {@code D/.fullsync/} (a log of its own). The switch moves files, never
 * directories, each move a rename within {@code D}'s file system:
 *
 * <ol>
 *   <li>{@code D/SWITCH} is written and fsynced (with {@code D}) saying {@code 1}: from here on the
 *       switch is completed, never undone, even after a crash;
 *   <li>every log file of the old state ({@code *.wal}, {@code *.snap}, {@code HISTORY}) moves into
 *       {@code D/.old/}; {@code SWITCH} then says {@code 2};
 *   <li>every file of {@code D/.fullsync/} but its {@code LOCK} moves into {@code D}; {@code D} is
 *       fsynced;
 *   <li>{@code SWITCH} is deleted, then {@code .old/} and {@code .fullsync/}.
 * </ol>
 *
 * {@link #recover} at startup finishes a switch that {@code SWITCH} names from the phase it says;
 * without {@code SWITCH} it deletes what an unfinished sync or a finished switch left. A switch
 * that fails before step 1 (or whose step 1 fails) leaves the old state untouched: the caller
 * reopens it. Directories {@code D.fullsync} and {@code D.old} beside {@code D}, which earlier
 * builds used, are still recovered. Stateless.
 */
public final class DataDirs {
  private static final Logger log = LoggerFactory.getLogger(DataDirs.class);

  static final String SWITCH = "SWITCH";
  static final String FULL_SYNC = ".fullsync";
  static final String OLD = ".old";

  private DataDirs() {}

  /** Where a full sync is built: inside the data directory. */
  public static Path fullSync(Path data) {
    return data.resolve(FULL_SYNC);
  }

  /** Where the old state goes during a switch: inside the data directory. */
  public static Path old(Path data) {
    return data.resolve(OLD);
  }

  private static Path sibling(Path data, String suffix) {
    Path abs = data.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + suffix);
  }

  /** Whether {@code name} is one of a log's files that a switch replaces. */
  static boolean isLogFile(String name) {
    return name.endsWith(".wal")
        || name.endsWith(".snap")
        || name.endsWith(".tmp")
        || name.equals("HISTORY");
  }

  public static void recover(Path data) throws IOException {
    recoverSiblings(data);
    if (!Files.isDirectory(data)) {
      return;
    }
    Path marker = data.resolve(SWITCH);
    if (Files.exists(marker)) {
      String phase = Files.readString(marker, StandardCharsets.US_ASCII).trim();
      log.warn("a full sync was cut during its switch (phase {}): finishing it", phase);
      finish(data, phase.equals("2"));
      return;
    }
    for (Path leftover : List.of(fullSync(data), old(data))) {
      if (Files.exists(leftover)) {
        deleteTree(leftover);
        log.info("removed {} left by a full sync", leftover);
      }
    }
  }

  /** Directories beside {@code data} from earlier builds. */
  private static void recoverSiblings(Path data) throws IOException {
    Path old = sibling(data, ".old");
    if (Files.exists(old)) {
      if (Files.exists(data)) {
        deleteTree(old);
        log.info("removed {} left by a finished full sync", old);
      } else {
        Files.move(old, data, StandardCopyOption.ATOMIC_MOVE);
        fsync(data.toAbsolutePath().normalize().getParent());
        log.warn("a full sync was cut during its switch: kept the previous data {}", data);
      }
    }
    Path partial = sibling(data, ".fullsync");
    if (Files.exists(partial)) {
      deleteTree(partial);
      log.info("removed {} left by an unfinished full sync", partial);
    }
  }

  /**
   * Makes the complete state in {@code ready} ({@link #fullSync}) the data directory's. The old
   * store must be closed. Throws before the point of no return when the marker cannot be written:
   * then the old state is untouched.
   */
  public static void switchTo(Path data, Path ready) throws IOException {
    if (!ready.equals(fullSync(data))) {
      throw new IllegalArgumentException(ready + " is not " + fullSync(data));
    }
    Path marker = data.resolve(SWITCH);
    try {
      writeMarker(data, "1");
    } catch (IOException e) {
      Files.deleteIfExists(marker); // not started: the old state stands
      throw e;
    }
    finish(data, false);
  }

  /** Whether a switch in {@code data} is past its point of no return (its marker exists). */
  public static boolean switching(Path data) {
    return Files.exists(data.resolve(SWITCH));
  }

  /** Steps 2 to 4, idempotent: each move is of a file still where the step finds it. */
  private static void finish(Path data, boolean oldMovedOut) throws IOException {
    Path old = old(data);
    Path ready = fullSync(data);
    if (!oldMovedOut) {
      Files.createDirectories(old);
      for (Path f : list(data)) {
        if (Files.isRegularFile(f) && isLogFile(f.getFileName().toString())) {
          Files.move(f, old.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      fsync(old);
      writeMarker(data, "2");
    }
    if (Files.isDirectory(ready)) {
      for (Path f : list(ready)) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && !name.equals("LOCK")) {
          Files.move(f, data.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    fsync(data);
    Files.delete(data.resolve(SWITCH));
    fsync(data);
    deleteTree(old);
    deleteTree(ready);
  }

  private static void writeMarker(Path data, String phase) throws IOException {
    Path tmp = data.resolve(SWITCH + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap((phase + "\n").getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(tmp, data.resolve(SWITCH), StandardCopyOption.ATOMIC_MOVE);
    fsync(data);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void fsync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
