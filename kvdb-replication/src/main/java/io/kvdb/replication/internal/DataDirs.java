package io.kvdb.replication.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories of a replica's full sync, beside its data directory {@code D}: {@code D.fullsync}
 * (the new state being built) and {@code D.old} (the previous data, during the switch). The switch
 * is two renames, each followed by an fsync of the parent: D → D.old, then D.fullsync → D. {@link
 * #recover} finishes or undoes an interrupted switch at startup: D.old with no D is renamed back
 * (the new data never became D); D.old beside D is deleted (the switch was done); a leftover
 * D.fullsync is deleted (a sync that never finished). Stateless.
 */
public final class DataDirs {
  private static final Logger log = LoggerFactory.getLogger(DataDirs.class);

  private DataDirs() {}

  public static Path fullSync(Path data) {
    return sibling(data, ".fullsync");
  }

  public static Path old(Path data) {
    return sibling(data, ".old");
  }

  private static Path sibling(Path data, String suffix) {
    Path abs = data.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + suffix);
  }

  public static void recover(Path data) throws IOException {
    Path old = old(data);
    if (Files.exists(old)) {
      if (Files.exists(data)) {
        deleteTree(old);
        log.info("removed {} left by a finished full sync", old);
      } else {
        Files.move(old, data, StandardCopyOption.ATOMIC_MOVE);
        fsyncParent(data);
        log.warn("a full sync was cut during its switch: kept the previous data {}", data);
      }
    }
    Path partial = fullSync(data);
    if (Files.exists(partial)) {
      deleteTree(partial);
      log.info("removed {} left by an unfinished full sync", partial);
    }
  }

  /** Makes {@code ready} the data directory, keeping the previous one until the switch is done. */
  public static void switchTo(Path data, Path ready) throws IOException {
    Path old = old(data);
    deleteTree(old);
    Files.move(data, old, StandardCopyOption.ATOMIC_MOVE);
    fsyncParent(data);
    Files.move(ready, data, StandardCopyOption.ATOMIC_MOVE);
    fsyncParent(data);
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

  private static void fsyncParent(Path p) throws IOException {
    Path parent = p.toAbsolutePath().normalize().getParent();
    try (FileChannel ch = FileChannel.open(parent, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
