package io.kvdb.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * {@link KvStore}'s single- and multi-key operations are linearizable (hostile-input issue:
 * Lincheck): Lincheck runs random concurrent scenarios of them on a store of two shards, many
 * times, and checks every outcome against the same operations run one at a time. Keys collide on
 * purpose (three keys), so multi-key writes and reads cross shards and each other.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:2")
@Param(name = "value", gen = IntGen.class, conf = "0:9")
public class LincheckTest {
  private final KvStore store = KvStore.builder().shards(2).build();

  private static byte[] k(int key) {
    return ("key" + key).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] v(int value) {
    return Integer.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.US_ASCII);
  }

  @Operation
  public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
    store.put(k(key), v(value));
  }

  @Operation
  public String get(@Param(name = "key") int key) {
    return text(store.get(k(key)));
  }

  @Operation
  public boolean delete(@Param(name = "key") int key) {
    return store.delete(k(key));
  }

  /** MSET of two keys: one atomic write. */
  @Operation
  public void putTwo(
      @Param(name = "key") int a, @Param(name = "key") int b, @Param(name = "value") int value) {
    store.putAllAsync(List.of(k(a), v(value), k(b), v(value + 10))).join();
  }

  /** MGET of all keys: one isolated read. */
  @Operation
  public List<String> getAll() {
    List<String> out = new ArrayList<>();
    for (byte[] b : store.getAll(List.of(k(0), k(1), k(2)))) {
      out.add(text(b));
    }
    return out;
  }

  /** The sequential specification: a map, one operation at a time. */
  public static final class Model {
    private final java.util.Map<Integer, String> map = new java.util.HashMap<>();

    public void put(int key, int value) {
      map.put(key, Integer.toString(value));
    }

    public String get(int key) {
      return map.get(key);
    }

    public boolean delete(int key) {
      return map.remove(key) != null;
    }

    public void putTwo(int a, int b, int value) {
      map.put(a, Integer.toString(value));
      map.put(b, Integer.toString(value + 10));
    }

    public List<String> getAll() {
      return java.util.Arrays.asList(map.get(0), map.get(1), map.get(2));
    }
  }

  @Test
  void linearizable() {
    LinChecker.check(
        LincheckTest.class,
        new StressOptions()
            .sequentialSpecification(Model.class)
            .iterations(Integer.getInteger("kvdb.lincheckIterations", 60))
            .invocationsPerIteration(1_000)
            .threads(3)
            .actorsPerThread(3));
  }
}
