package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.testing.RecordingWal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the store promises a write-ahead log, checked against a recording log. */
class WalContractTest {

  /**
   * The log writes a record later, on its own thread: by default it gets copies, so a caller that
   * reuses its arrays at once changes nothing logged; a store built with {@code adoptArrays} hands
   * the caller's own arrays over (one copy less per write, for a caller that never reuses them).
   */
  @Test
  void theLogGetsCopiesUnlessTheStoreAdoptsTheCallersArrays() {
    byte[] key = "k".getBytes(UTF_8);
    byte[] value = "before".getBytes(UTF_8);
    RecordingWal copying = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(copying).build()) {
      store.putAsync(key, value).join();
      value[0] = 'X';
      WalRecord r = copying.records().get(0);
      assertThat(new String(r.value(), UTF_8)).isEqualTo("before");
      assertThat(r.key()).isNotSameAs(key);
      assertThat(store.get(key)).isEqualTo("before".getBytes(UTF_8));
    }
    byte[] adopted = "value".getBytes(UTF_8);
    RecordingWal adopting = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(adopting).adoptArrays(true).build()) {
      store.putAsync(key, adopted).join();
      assertThat(adopting.records().get(0).value()).isSameAs(adopted);
      assertThat(adopting.records().get(0).key()).isSameAs(key);
    }
  }

  @Test
  void writesAreAcknowledgedOnlyWhenTheLogSaysDurable() {
    RecordingWal wal = new RecordingWal(false);
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      CompletableFuture<Void> put = store.putAsync(b("k"), b("v"));
      assertThat(store.get("k")).isEqualTo("v"); // visible at once
      assertThat(put).isNotDone();
      assertThat(store.syncBarrier()).isNotDone();
      wal.completeAll();
      assertThat(put).isCompleted();
      assertThat(store.syncBarrier()).isCompleted();
    }
  }

  @Test
  void rejectedOperationsNeverReachTheLog() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(wal).maxKeySize(8).maxValueSize(8).build()) {
      assertThatThrownBy(() -> store.put(new byte[9], new byte[1]))
          .isInstanceOf(LimitExceededException.class);
      assertThatThrownBy(() -> store.put(new byte[1], new byte[9]))
          .isInstanceOf(LimitExceededException.class);
      assertThatThrownBy(() -> store.put(null, new byte[1]))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(
              () ->
                  store.compute(
                      b("k"),
                      c -> {
                        throw new IllegalArgumentException("nope");
                      }))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.putAllAsync(List.of(b("ok"), b("ok"), b("bad"), new byte[9])))
          .isInstanceOf(LimitExceededException.class);
      assertThat(store.get("ok")).isNull();
      assertThat(wal.records()).isEmpty();
    }
  }

  @Test
  void deletesOfAbsentKeysAreNotLogged() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      assertThat(store.delete("nothing")).isFalse();
      store.put("a", "1");
      assertThat(store.delete("a")).isTrue();
      assertThat(wal.records())
          .extracting(WalRecord::type)
          .containsExactly(RecordType.PUT, RecordType.DELETE);
    }
  }

  @Test
  void logHoldsContiguousLsnsAndPerKeyOrderMatchesMemory() throws Exception {
    RecordingWal wal = new RecordingWal(true);
    int threads = 8;
    int perThread = 2_000;
    try (KvStore store = KvStore.builder().shards(4).wal(wal).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    byte[] key = b("k" + (i % 50)); // every thread writes the same 50 keys
                    if (i % 7 == 0) {
                      store.delete(key);
                    } else {
                      store.put(key, b(id + ":" + i));
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (var f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      List<WalRecord> log = wal.records();
      Map<String, byte[]> replayed = new HashMap<>();
      for (int i = 0; i < log.size(); i++) {
        WalRecord r = log.get(i);
        if (r.type() == RecordType.PUT) {
          replayed.put(new String(r.key(), UTF_8), r.value());
        } else {
          replayed.remove(new String(r.key(), UTF_8));
        }
      }
      // Every write reached the log once (the WAL numbers records; its own tests check that).
      assertThat(store.lastLsn()).isEqualTo(log.size());
      // Replaying the log in LSN order ends in exactly the state memory holds.
      for (int k = 0; k < 50; k++) {
        String key = "k" + k;
        byte[] expected = replayed.get(key);
        assertThat(store.get(b(key))).as(key).isEqualTo(expected);
      }
    }
  }

  @Test
  void recoveryReplaysRecordsIntoMemory() {
    RecordingWal wal =
        new RecordingWal(
            true,
            List.of(
                WalRecord.put(1, b("a"), b("1")),
                WalRecord.put(2, b("b"), b("2")),
                WalRecord.delete(3, b("a")),
                WalRecord.clear(4),
                WalRecord.put(5, b("c"), b("3"))));
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      assertThat(store.size()).isEqualTo(1);
      assertThat(store.get("c")).isEqualTo("3");
      assertThat(store.lastLsn()).isEqualTo(5);
      store.put("d", "4");
      assertThat(wal.records().get(5).lsn()).isEqualTo(6);
    }
  }

  @Test
  void replicatedRecordsKeepTheirLsnAndMustBeNext() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      store.applyReplicated(WalRecord.put(1, b("a"), b("1"))).join();
      store.applyReplicated(WalRecord.put(2, b("b"), b("2"))).join();
      assertThatThrownBy(() -> store.applyReplicated(WalRecord.put(4, b("c"), b("3"))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(store.get("c")).isNull();
      store.applyReplicated(WalRecord.clear(3)).join();
      assertThat(store.size()).isZero();
      assertThat(wal.records()).extracting(WalRecord::lsn).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void closeClosesTheLogAndLaterUseThrows() {
    RecordingWal wal = new RecordingWal(true);
    KvStore store = KvStore.builder().wal(wal).build();
    store.close();
    assertThat(wal.isClosed()).isTrue();
    assertThatThrownBy(() -> store.put("a", "b")).isInstanceOf(IllegalStateException.class);
    assertThat(wal.records()).isEmpty();
  }

  @Test
  void failedDurabilitySurfacesAsDurabilityException() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      wal.failFromNowOn(new java.io.IOException("disk gone"));
      assertThatThrownBy(() -> store.put("a", "1"))
          .isInstanceOf(DurabilityException.class)
          .hasMessageContaining("disk gone");
      assertThat(store.putAsync(b("b"), b("2"))).isCompletedExceptionally();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}
