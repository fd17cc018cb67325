package io.kvdb.bench.core;

import io.kvdb.core.KvStore;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live heap per key after GC, for 1M keys (16-byte keys, 100-byte values), for the in-memory {@link
 * KvStore} and, in the same run, a raw {@link ConcurrentHashMap} baseline. Each value is a distinct
 * array, as it would be for data that arrived over the network.
 *
 * <pre>java -Xmx4g -cp kvdb-bench/target/benchmarks.jar io.kvdb.bench.core.MemoryFootprint</pre>
 */
public final class MemoryFootprint {
  private static final int KEYS = 1_000_000;

  private MemoryFootprint() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : KEYS;
    double store = measure("kvstore", n);
    double chm = measure("chm", n);
    System.out.printf(
        "keys=%d  kvstore %.1f bytes/key  chm %.1f bytes/key  ratio %.2fx%n",
        n, store, chm, store / chm);
  }

  private static double measure(String impl, int n) {
    byte[][] keys = EngineData.keys(n);
    long before = liveHeap();
    Object holder;
    if (impl.equals("kvstore")) {
      KvStore s = KvStore.inMemory();
      for (int i = 0; i < n; i++) {
        s.put(keys[i], EngineData.value(i & 1023));
      }
      holder = s;
    } else {
      ConcurrentHashMap<EngineData.BytesKey, byte[]> m = new ConcurrentHashMap<>();
      for (int i = 0; i < n; i++) {
        // The map keeps the caller's arrays: give it its own copies, as the store makes its own.
        m.put(new EngineData.BytesKey(keys[i].clone()), EngineData.value(i & 1023));
      }
      holder = m;
    }
    long after = liveHeap();
    double perKey = (after - before) / (double) n;
    System.out.printf("%s: %,d keys, %.1f bytes/key live heap%n", impl, n, perKey);
    if (holder.hashCode() == 42) { // keep the structure reachable until measured
      System.out.print("");
    }
    return perKey;
  }

  private static long liveHeap() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
