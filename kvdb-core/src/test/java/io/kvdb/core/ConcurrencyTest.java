package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.testing.RecordingWal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads hammer every operation at once; afterwards the store must agree with what each
 * thread knows it did, counters must not lose increments, and racing reads must never return a
 * value nobody wrote.
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int OPS = 20_000;

  @ParameterizedTest(name = "shards={0}, wal={1}")
  @ValueSource(ints = {1, 4, 64})
  void everyOperationFromManyThreads(int shards) throws Exception {
    for (boolean withWal : new boolean[] {false, true}) {
      KvStoreBuilder builder = KvStore.builder().shards(shards);
      if (withWal) {
        builder.wal(new RecordingWal(true));
      }
      try (KvStore store = builder.build()) {
        hammer(store);
      }
    }
  }

  private void hammer(KvStore store) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger increments = new AtomicInteger();
    AtomicBoolean tornReadSeen = new AtomicBoolean();
    AtomicBoolean writersDone = new AtomicBoolean();
    List<Future<Map<String, String>>> owners = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      owners.add(
          pool.submit(
              () -> {
                start.await();
                // Each thread owns keys "t<id>:*" and keeps its own model of them.
                Map<String, String> model = new HashMap<>();
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < OPS; i++) {
                  String key = "t" + id + ":" + rnd.nextInt(200);
                  switch (rnd.nextInt(7)) {
                    case 0, 1 -> {
                      String v = "v" + i + "/" + i; // a torn mix of two values has unequal halves
                      store.put(key, v);
                      model.put(key, v);
                    }
                    case 2 -> assertThat(store.delete(key)).isEqualTo(model.remove(key) != null);
                    case 3 -> assertThat(store.get(key)).isEqualTo(model.get(key));
                    case 4 -> {
                      store
                          .compute(
                              b("counter"),
                              c -> {
                                long n = c == null ? 0 : Long.parseLong(new String(c, UTF_8));
                                return KeyFunction.Decision.put(b(Long.toString(n + 1)), n + 1);
                              })
                          .join();
                      increments.incrementAndGet();
                    }
                    case 5 -> {
                      String v = Integer.toString(i);
                      store.putAllAsync(List.of(b("pair:a"), b(v), b("pair:b"), b(v))).join();
                    }
                    default -> store.scan(0, 16);
                  }
                }
                return model;
              }));
    }
    Future<?> reader =
        pool.submit(
            () -> {
              start.await();
              ThreadLocalRandom rnd = ThreadLocalRandom.current();
              while (!writersDone.get()) {
                // Optimistic reads race with writers and table rebuilds: they must only ever
                // return a value some writer stored, never a torn one.
                String v = store.get("t" + rnd.nextInt(THREADS) + ":" + rnd.nextInt(200));
                if (v != null && !wholeValue(v)) {
                  tornReadSeen.set(true);
                }
                String a = store.get("pair:a");
                if (a != null && !a.matches("\\d+")) {
                  tornReadSeen.set(true);
                }
              }
              return null;
            });
    start.countDown();
    Map<String, String> expected = new HashMap<>();
    for (Future<Map<String, String>> f : owners) {
      expected.putAll(f.get(120, TimeUnit.SECONDS));
    }
    writersDone.set(true);
    reader.get(30, TimeUnit.SECONDS);
    pool.shutdown();

    assertThat(tornReadSeen).as("a reader saw a value nobody wrote").isFalse();
    assertThat(store.get("counter")).isEqualTo(Integer.toString(increments.get()));
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertThat(store.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    Set<String> scanned = new HashSet<>();
    long cursor = 0;
    do {
      ScanPage page = store.scan(cursor, 100);
      page.keys().forEach(k -> scanned.add(new String(k, UTF_8)));
      cursor = page.cursor();
    } while (cursor != 0);
    Set<String> all = new HashSet<>(expected.keySet());
    if (store.get("counter") != null) {
      all.add("counter");
    }
    if (store.get("pair:a") != null) {
      all.add("pair:a");
      all.add("pair:b");
    }
    assertThat(scanned).isEqualTo(all);
    assertThat(store.size()).isEqualTo(all.size());
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** "v{i}/{i}" with both halves equal: what a writer stored, not a mix of two values. */
  private static boolean wholeValue(String v) {
    int slash = v.indexOf('/');
    return v.startsWith("v") && slash > 1 && v.substring(1, slash).equals(v.substring(slash + 1));
  }
}
