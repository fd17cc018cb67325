package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.testing.RecordingWal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * getAll never sees part of a putAll or deleteAll: writers replace a set of keys spread over every
 * shard with one generation at a time, readers check that every getAll shows a single generation.
 */
class IsolationTest {
  private static final int KEYS = 300;

  @ParameterizedTest(name = "with a log: {0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void getAllSeesWholeMultiKeyWritesOnly(boolean withLog) throws Exception {
    KvStoreBuilder builder = KvStore.builder().shards(64);
    if (withLog) {
      builder.wal(new RecordingWal(true));
    }
    try (KvStore store = builder.build()) {
      List<byte[]> keys = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        keys.add(("key:" + i).getBytes(UTF_8));
      }
      store.putAllAsync(pairs(keys, 0)).join();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      List<String> torn = java.util.Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        workers.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int gen = 1; gen <= 400; gen++) {
                    if (gen % 10 == 0) {
                      store.deleteAllAsync(keys).join(); // all gone at once, too
                    } else {
                      store.putAllAsync(pairs(keys, gen * 2 + writer)).join();
                    }
                  }
                },
                runner()));
      }
      for (int r = 0; r < 4; r++) {
        workers.add(
            CompletableFuture.runAsync(
                () -> {
                  while (!stop.get()) {
                    Set<String> seen = new HashSet<>();
                    for (byte[] v : store.getAll(keys)) {
                      seen.add(v == null ? "none" : new String(v, UTF_8));
                    }
                    reads.incrementAndGet();
                    if (seen.size() != 1) {
                      torn.add(seen.toString());
                    }
                  }
                },
                runner()));
      }
      CompletableFuture.allOf(workers.get(0), workers.get(1)).get(50, TimeUnit.SECONDS);
      stop.set(true);
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertThat(reads.get()).isPositive();
      assertThat(torn).as("getAll results that mixed generations").isEmpty();
    }
  }

  private static List<byte[]> pairs(List<byte[]> keys, int gen) {
    List<byte[]> kv = new ArrayList<>();
    byte[] v = ("gen" + gen).getBytes(UTF_8);
    for (byte[] k : keys) {
      kv.add(k);
      kv.add(v);
    }
    return kv;
  }

  private static java.util.concurrent.Executor runner() {
    return r -> new Thread(r).start();
  }
}
