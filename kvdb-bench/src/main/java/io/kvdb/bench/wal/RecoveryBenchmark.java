package io.kvdb.bench.wal;

import io.kvdb.bench.core.EngineData;
import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.SegmentedWal;
import io.kvdb.wal.SegmentedWalBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Time to reopen a log of N records (16-byte keys, 100-byte values), replaying segments only and
 * then from a snapshot, each beside its baseline measured in the same run: reading the same files'
 * bytes from the page cache without decoding them.
 *
 * <pre>java -Xmx4g -cp kvdb-bench/target/benchmarks.jar io.kvdb.bench.wal.RecoveryBenchmark 1000000
 * </pre>
 */
public final class RecoveryBenchmark {
  private RecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir =
        Files.createTempDirectory(Path.of(System.getProperty("bench.dir", ".")), "kvdb-recovery-");
    try {
      byte[][] keys = EngineData.keys(n);
      byte[] base = EngineData.value(3);
      SegmentedWalBuilder wal =
          SegmentedWal.builder().directory(dir).fsync(FsyncPolicy.NEVER).snapshotThreshold(0);
      try (KvStore store = KvStore.builder().wal(wal.build()).build()) {
        CompletableFuture<Void> last = null;
        for (int i = 0; i < n; i++) {
          last = store.putAsync(keys[i], EngineData.distinctValue(base, i));
        }
        last.join();
      }
      System.out.printf("log: %,d records, %,d bytes%n", n, bytes(dir, ".wal"));
      for (int r = 0; r < rounds; r++) {
        measure("segments only", dir, wal, n);
      }
      SegmentedWal w = wal.build();
      try (KvStore store = KvStore.builder().wal(w).build()) {
        w.snapshot().get();
      }
      System.out.printf(
          "snapshot: %,d bytes, segments left: %,d bytes%n",
          bytes(dir, ".snap"), bytes(dir, ".wal"));
      for (int r = 0; r < rounds; r++) {
        measure("from snapshot", dir, wal, n);
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void measure(String label, Path dir, SegmentedWalBuilder wal, int n)
      throws IOException {
    System.gc();
    long t0 = System.nanoTime();
    long rawBytes = readAll(dir);
    long rawNanos = System.nanoTime() - t0;
    System.gc();
    long t1 = System.nanoTime();
    RecoveryReport report;
    try (KvStore store = KvStore.builder().wal(wal.build()).build()) {
      report = ((ShardedKvStore) store).recoveryReport();
      if (store.size() != n) {
        throw new IllegalStateException("recovered " + store.size() + " keys, expected " + n);
      }
    }
    long nanos = System.nanoTime() - t1;
    long applied = report.recordsReplayed() + report.snapshotEntries();
    System.out.printf(
        "%-14s reopen %,6d ms (%,.0f records/s; recovery itself %,d ms)   raw read of %,d bytes %,5d ms   ratio %.1fx%n",
        label,
        nanos / 1_000_000,
        applied / (nanos / 1e9),
        report.took().toMillis(),
        rawBytes,
        rawNanos / 1_000_000,
        (double) nanos / rawNanos);
  }

  private static long readAll(Path dir) throws IOException {
    long total = 0;
    byte[] buf = new byte[1 << 20];
    for (Path p : list(dir)) {
      try (InputStream in = Files.newInputStream(p)) {
        int r;
        while ((r = in.read(buf)) > 0) {
          total += r;
        }
      }
    }
    return total;
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".wal") || p.toString().endsWith(".snap"))
          .toList();
    }
  }

  private static long bytes(Path dir, String suffix) throws IOException {
    long total = 0;
    for (Path p : list(dir)) {
      if (p.toString().endsWith(suffix)) {
        total += Files.size(p);
      }
    }
    return total;
  }
}
