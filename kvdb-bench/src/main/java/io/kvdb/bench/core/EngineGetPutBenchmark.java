package io.kvdb.bench.core;

import io.kvdb.core.KvStore;
import java.util.concurrent.ConcurrentHashMap;
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
 * get, put and a 90/10 get/put mix over 1M prefilled keys (16-byte keys, 100-byte values), for the
 * in-memory {@link KvStore} and, in the same run, its baseline: a raw {@link ConcurrentHashMap}
 * holding the same keys and values (keyed by a content-equality wrapper). The baseline hands out
 * and keeps references to its arrays; the store copies on the way in and out, as its contract
 * requires, so a get reads the 100 value bytes that the baseline never touches.
 *
 * <pre>
 * java -jar kvdb-bench/target/benchmarks.jar EngineGetPutBenchmark -t 2
 * java -cp kvdb-bench/target/benchmarks.jar io.kvdb.bench.Ratios EngineGetPutBenchmark -t 2
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Huge pages and a pre-touched heap for every impl alike: with 4 KiB pages the random access over
// a 4 GiB heap made iterations swing by 2x (TLB misses and page faults, not the code under test).
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+UseTransparentHugePages", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class EngineGetPutBenchmark {
  static final int KEYS = 1_000_000;

  /**
   * kvstore: the store; chm: the baseline (references in and out); chmcopy: the baseline copying
   * values in and out, as the store's contract requires — to show what that contract costs.
   */
  @Param({"kvstore", "chm", "chmcopy"})
  public String impl;

  /** Shard count for kvstore; 0 = its default. */
  @Param({"0"})
  public int shards;

  private byte[][] keys;
  private byte[] value;
  private KvStore store;
  private ConcurrentHashMap<EngineData.BytesKey, byte[]> map;
  private boolean copy;

  @Setup(Level.Trial)
  public void setUp() {
    keys = EngineData.keys(KEYS);
    value = EngineData.value(1);
    // Both hold their own copy of every key and a distinct value per key, as data that arrived
    // over the network would be; lookups use the benchmark's own key arrays.
    if (impl.equals("kvstore")) {
      store = shards == 0 ? KvStore.inMemory() : KvStore.builder().shards(shards).build();
      for (int i = 0; i < KEYS; i++) {
        store.put(keys[i], EngineData.distinctValue(value, i));
      }
    } else {
      copy = impl.equals("chmcopy");
      map = new ConcurrentHashMap<>();
      for (int i = 0; i < KEYS; i++) {
        map.put(new EngineData.BytesKey(keys[i].clone()), EngineData.distinctValue(value, i));
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (store != null) {
      store.close();
    }
  }

  /** A per-thread xorshift cursor over the key indexes. */
  @State(Scope.Thread)
  public static class Cursor {
    private int x = (int) System.nanoTime() | 1;

    int next() {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x & Integer.MAX_VALUE) % KEYS;
    }
  }

  @Benchmark
  public byte[] get(Cursor c) {
    byte[] k = keys[c.next()];
    if (store != null) {
      return store.get(k);
    }
    byte[] v = map.get(new EngineData.BytesKey(k));
    return copy && v != null ? v.clone() : v;
  }

  @Benchmark
  public Object put(Cursor c) {
    byte[] k = keys[c.next()];
    if (store != null) {
      store.put(k, value);
      return k;
    }
    return map.put(new EngineData.BytesKey(k), copy ? value.clone() : value);
  }

  @Benchmark
  public Object mixed90get10put(Cursor c) {
    int i = c.next();
    return (i % 10 == 0) ? put(c) : get(c);
  }
}
