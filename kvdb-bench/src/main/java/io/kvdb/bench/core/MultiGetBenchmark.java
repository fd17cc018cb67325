package io.kvdb.bench.core;

import io.kvdb.core.KvStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * What MGET's isolation costs: {@code KvStore.getAll} of N random keys (stamps on every shard
 * involved, all values read, all stamps validated) against, in the same run, its baseline: N
 * separate {@code get}s, each isolated only from writes to its own key — MGET before it became
 * isolated. 1M prefilled keys, 16-byte keys, 100-byte values, in memory.
 *
 * <pre>
 * java -cp kvdb-bench/target/benchmarks.jar io.kvdb.bench.Ratios MultiGetBenchmark -t 2
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+UseTransparentHugePages", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class MultiGetBenchmark {
  static final int KEYS = 1_000_000;

  /** getall: the isolated multi-key read; baseline: one get per key. */
  @Param({"getall", "baseline"})
  public String impl;

  /** Keys per MGET. */
  @Param({"10"})
  public int keysPerCall;

  private byte[][] keys;
  private KvStore store;

  @Setup(Level.Trial)
  public void setUp() {
    keys = EngineData.keys(KEYS);
    byte[] value = EngineData.value(1);
    store = KvStore.inMemory();
    for (int i = 0; i < KEYS; i++) {
      store.put(keys[i], EngineData.distinctValue(value, i));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  /** A per-thread xorshift cursor and a reused list of keys. */
  @State(Scope.Thread)
  public static class Call {
    private int x = (int) System.nanoTime() | 1;
    final List<byte[]> batch = new ArrayList<>();

    int next() {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x & Integer.MAX_VALUE) % KEYS;
    }
  }

  @Benchmark
  public Object mget(Call c) {
    if (impl.equals("getall")) {
      c.batch.clear();
      for (int i = 0; i < keysPerCall; i++) {
        c.batch.add(keys[c.next()]);
      }
      return store.getAll(c.batch);
    }
    byte[][] values = new byte[keysPerCall][];
    for (int i = 0; i < keysPerCall; i++) {
      values[i] = store.get(keys[c.next()]);
    }
    return Arrays.asList(values);
  }
}
