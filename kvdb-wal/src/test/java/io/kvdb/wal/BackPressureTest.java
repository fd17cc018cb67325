package io.kvdb.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.KvStore;
import io.kvdb.wal.testing.StallingDisk;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stalled disk bounds memory instead of growing it: writers wait (embedded) once the log's queued
 * bytes pass maxPendingBytes, nothing acknowledged is lost, and everything resumes when the disk
 * does.
 */
class BackPressureTest {
  private static final long LIMIT = 1 << 20;
  private static final int VALUE = 10_000;

  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void writersWaitWhileTheDiskStallsAndAllAcknowledgedWritesSurvive() throws Exception {
    StallingDisk disk = new StallingDisk();
    SegmentedWal wal =
        WalDirs.wal(dir, FsyncPolicy.ALWAYS).maxPendingBytes(LIMIT).faults(disk).build();
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong peakPending = new AtomicLong();
    int threads = 4;
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      store.put("warm", "up");
      disk.stall();
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        writers.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    String key = "t" + id + ":" + (i % 500);
                    int n = i;
                    store
                        .putAsync(key.getBytes(UTF_8), value(n))
                        .thenRun(() -> acked.merge(key, n, Math::max));
                  }
                },
                r -> new Thread(r).start()));
      }
      assertThat(disk.awaitStalled(10)).isTrue();
      // The writers fill the log up to its limit and then wait in putAsync.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> wal.pendingBytes() >= LIMIT && !wal.whenWritable().isDone());
      long before = wal.lastLsn();
      // No record is queued while the log is full (the writers are parked in putAsync).
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                peakPending.accumulateAndGet(wal.pendingBytes(), Math::max);
                return wal.lastLsn() == before;
              });
      // Over the limit by at most what the writers had started: one record each.
      assertThat(peakPending.get()).isLessThanOrEqualTo(LIMIT + threads * (VALUE + 200L));
      assertThat(acked).isEmpty(); // ALWAYS: nothing is acknowledged before its fsync

      disk.release();
      await().atMost(Duration.ofSeconds(20)).until(() -> wal.lastLsn() > before + 1000);
      stop.set(true);
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      store.syncBarrier().get(20, TimeUnit.SECONDS);
    }
    assertThat(acked).isNotEmpty();
    try (KvStore reopened = WalDirs.open(dir)) {
      for (Map.Entry<String, Integer> e : acked.entrySet()) {
        byte[] v = reopened.get(e.getKey().getBytes(UTF_8));
        assertThat(seqOf(v)).as(e.getKey()).isGreaterThanOrEqualTo(e.getValue());
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNonBlockingStoreLeavesWaitingToItsCallerThroughWhenWritable() throws Exception {
    StallingDisk disk = new StallingDisk();
    SegmentedWal wal =
        WalDirs.wal(dir, FsyncPolicy.ALWAYS).maxPendingBytes(LIMIT).faults(disk).build();
    try (KvStore store = KvStore.builder().wal(wal).asyncWritesWaitForLog(false).build()) {
      disk.stall();
      store.putAsync("first".getBytes(UTF_8), value(0));
      assertThat(disk.awaitStalled(10)).isTrue();
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 1; i <= 200; i++) { // 2 MB: past the limit, yet putAsync never blocks
        writes.add(store.putAsync(("k" + i).getBytes(UTF_8), value(i)));
      }
      CompletableFuture<Void> writable = store.whenWritable();
      assertThat(writable).isNotDone();
      assertThat(writes).noneMatch(CompletableFuture::isDone);
      disk.release();
      writable.get(20, TimeUnit.SECONDS);
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      assertThat(wal.pendingBytes()).isZero();
    }
  }

  private static byte[] value(int seq) {
    byte[] v = new byte[VALUE];
    byte[] s = Integer.toString(seq).getBytes(UTF_8);
    System.arraycopy(s, 0, v, 0, s.length);
    v[s.length] = ';';
    return v;
  }

  private static int seqOf(byte[] v) {
    int end = 0;
    while (v[end] != ';') {
      end++;
    }
    return Integer.parseInt(new String(v, 0, end, UTF_8));
  }
}
