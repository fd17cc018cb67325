package io.kvdb.bench.wal;

import io.kvdb.bench.core.EngineData;
import io.kvdb.core.KvStore;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.SegmentedWal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable puts (fsync ALWAYS: each put returns only after the fsync covering it) from N concurrent
 * writers, beside the disk's own limit measured in the same run: a plain loop of small appends with
 * an fsync after each ({@code impl=rawfsync}; writers take turns, as they must on one file). {@code
 * impl=rawfsync-zerofilled} is the same loop over a file zero-filled ahead of the appends, as the
 * WAL keeps its active segment: the fdatasync then has no new file size to commit to the journal.
 *
 * <pre>
 * for t in 1 8 64; do
 *   java -cp kvdb-bench/target/benchmarks.jar io.kvdb.bench.Ratios DurablePutBenchmark -t $t
 * done
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class DurablePutBenchmark {
  private static final int KEYS = 100_000;

  @Param({"kvstore", "rawfsync", "rawfsync-zerofilled"})
  public String impl;

  private Path dir;
  private KvStore store;
  private FileChannel raw;
  private byte[][] keys;
  private byte[] value;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", ".")), "kvdb-bench-");
    keys = EngineData.keys(KEYS);
    value = EngineData.value(7);
    if (impl.equals("kvstore")) {
      store =
          KvStore.builder()
              .wal(SegmentedWal.builder().directory(dir).fsync(FsyncPolicy.ALWAYS).build())
              .build();
    } else {
      raw =
          FileChannel.open(
              dir.resolve("raw.log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      if (impl.equals("rawfsync-zerofilled")) {
        // More than a run appends (~25 MB at 10k small appends/s for 18 s).
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (int i = 0; i < 128; i++) {
          zeros.clear();
          while (zeros.hasRemaining()) {
            raw.write(zeros);
          }
        }
        raw.force(true);
        raw.position(0);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (store != null) {
      store.close();
    }
    if (raw != null) {
      raw.close();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Per-thread key cursor. */
  @State(Scope.Thread)
  public static class Cursor {
    private int i = (int) (System.nanoTime() & 0xffff);

    int next() {
      i = (i + 7919) % KEYS;
      return i;
    }
  }

  @Benchmark
  public Object put(Cursor c) throws IOException {
    byte[] key = keys[c.next()];
    if (store != null) {
      store.put(key, value);
      return key;
    }
    // A record of the same size as the WAL's, appended and fsynced on its own.
    ByteBuffer b = ByteBuffer.allocate(29 + key.length + value.length);
    b.putLong(0).put(key).put(value).position(0);
    synchronized (this) {
      while (b.hasRemaining()) {
        raw.write(b);
      }
      raw.force(false);
    }
    return key;
  }
}
