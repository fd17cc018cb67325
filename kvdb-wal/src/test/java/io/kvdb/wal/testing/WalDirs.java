package io.kvdb.wal.testing;

import io.kvdb.core.KvStore;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.SegmentedWal;
import io.kvdb.wal.SegmentedWalBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Helpers for tests that open stores on WAL directories and compare their contents. */
public final class WalDirs {
  private WalDirs() {}

  public static KvStore open(Path dir) {
    return open(SegmentedWal.builder().directory(dir));
  }

  public static KvStore open(SegmentedWalBuilder wal) {
    return KvStore.builder().shards(4).wal(wal.build()).build();
  }

  public static SegmentedWalBuilder wal(Path dir, FsyncPolicy policy) {
    return SegmentedWal.builder().directory(dir).fsync(policy);
  }

  /** Every key and value in the store, as UTF-8 strings, sorted. */
  public static Map<String, String> contents(KvStore store) {
    Map<String, String> all = new TreeMap<>();
    long cursor = 0;
    do {
      var page = store.scan(cursor, 1000);
      for (byte[] k : page.keys()) {
        all.put(
            new String(k, StandardCharsets.UTF_8),
            store.get(new String(k, StandardCharsets.UTF_8)));
      }
      cursor = page.cursor();
    } while (cursor != 0);
    return all;
  }

  public static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
