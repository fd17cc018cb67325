package io.kvdb.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * User code in durability callbacks cannot stall the log: futures complete on no thread that the
 * log needs, outside its locks; a throwing listener is dropped; closing races no snapshot.
 */
class CallbackTest {
  @TempDir Path dir;

  /**
   * The deadlock: 8 threads keep a window of 3,000 async writes in flight, and every
   * callback writes again — blocking put, putAsync, putAll — and reads. Before, futures completed
   * on the writer thread and the first blocking put in a callback waited for itself forever.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void callbacksMayCallBackIntoTheStoreEvenBlockingOnes() throws Exception {
    SegmentedWal wal =
        WalDirs.wal(dir, FsyncPolicy.ALWAYS)
            .maxPendingBytes(256 << 10)
            .snapshotThreshold(1 << 20)
            .build();
    AtomicLong callbacks = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      List<CompletableFuture<Void>> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        threads.add(
            CompletableFuture.runAsync(
                () -> {
                  Semaphore window = new Semaphore(3000 / 8);
                  for (int i = 0; i < 1500; i++) {
                    window.acquireUninterruptibly();
                    byte[] k = ("t" + id + ":" + (i % 64)).getBytes(UTF_8);
                    int n = i;
                    CompletableFuture<?> f =
                        switch (i % 3) {
                          case 0 -> store.putAsync(k, ("v" + i).getBytes(UTF_8));
                          case 1 -> store.syncBarrier();
                          default ->
                              store.compute(k, cur -> io.kvdb.core.KeyFunction.Decision.keep(0));
                        };
                    f.whenComplete(
                        (v, e) -> {
                          try {
                            if (e != null) {
                              throw e;
                            }
                            switch (n % 4) {
                              case 0 -> store.put(k, ("cb" + n).getBytes(UTF_8)); // blocks
                              case 1 -> store.putAsync(k, ("cb" + n).getBytes(UTF_8)).join();
                              case 2 -> store.putAllAsync(List.of(k, k, k, k)).join();
                              default -> store.get(k);
                            }
                            callbacks.incrementAndGet();
                          } catch (Throwable x) {
                            failure.compareAndSet(null, x);
                          } finally {
                            window.release();
                          }
                        });
                  }
                  window.acquireUninterruptibly(3000 / 8); // every callback ran
                },
                r -> new Thread(r).start()));
      }
      CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(80, TimeUnit.SECONDS);
    }
    assertThat(failure.get()).isNull();
    assertThat(callbacks.get()).isEqualTo(8 * 1500);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aListenerThatThrowsIsRemovedAndTheLogGoesOn() {
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.ALWAYS).build();
    AtomicInteger calls = new AtomicInteger();
    AtomicLong healthy = new AtomicLong();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      WriteAheadLog.DurableListener bad =
          lsn -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
          };
      wal.addListener(bad);
      wal.addListener(healthy::set);
      store.put("a", "1");
      store.put("b", "2");
      store.put("c", "3");
      assertThat(wal.failure()).isNull();
      assertThat(calls.get()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> healthy.get() == 3);
    }
  }

  /** A snapshot scheduled by the writer as the store closes must not fail the log. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void closingWhileASnapshotIsBeingScheduledNeverFailsTheLog() {
    for (int round = 0; round < 30; round++) {
      Path d = dir.resolve("r" + round);
      SegmentedWal wal = WalDirs.wal(d, FsyncPolicy.NEVER).snapshotThreshold(4096).build();
      KvStore store = KvStore.builder().wal(wal).build();
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        writes.add(store.putAsync(("k" + i).getBytes(UTF_8), new byte[100]));
      }
      store.close(); // throws if the log had failed
      assertThat(wal.failure()).isNull();
      assertThat(writes).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }
  }
}
