package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.wal.internal.SegmentHeader;
import io.kvdb.wal.testing.WalDirs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A snapshot taken under {@code everysec} while writers overwrite keys, then a simulated power cut
 * — every file cut back to what its last fsync made durable — must reopen to a prefix of the
 * history. Before snapshots forced an fsync, a snapshot could hold writes whose log records were
 * never synced: after the cut, those keys were newer than the log, and others older.
 */
class PowerLossTest {
  private static final int KEYS_PER_WRITER = 40;

  @TempDir Path dir;

  /**
   * Under NEVER the only fsyncs are segment seals and the snapshot's own, so the cut (at the first
   * fsync after the snapshot) always finds an unsynced tail; under EVERYSEC a periodic fsync may
   * come first, so the run is repeated.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"EVERYSEC", "NEVER"})
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void snapshotThenPowerCutReopensToAPrefix(FsyncPolicy policy) throws Exception {
    for (int round = 0; round < 3; round++) {
      snapshotThenPowerCut(policy, dir.resolve("round" + round));
    }
  }

  private void snapshotThenPowerCut(FsyncPolicy policy, Path dir) throws Exception {
    Path data = dir.resolve("data");
    Path afterCut = dir.resolve("after-cut");
    PowerCut cut = new PowerCut();
    SegmentedWal wal =
        WalDirs.wal(data, policy).segmentSize(64 << 10).snapshotThreshold(0).faults(cut).build();
    int writers = 4;
    AtomicBoolean stop = new AtomicBoolean();
    try (KvStore store = KvStore.builder().shards(16).wal(wal).build()) {
      List<CompletableFuture<Void>> threads = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int id = t;
        threads.add(
            CompletableFuture.runAsync(
                () -> {
                  for (long seq = 0; !stop.get(); seq++) {
                    store.put("t" + id + ":" + (seq % KEYS_PER_WRITER), Long.toString(seq));
                  }
                },
                r -> new Thread(r).start()));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> store.lastLsn() >= 20_000);
      wal.snapshot().get(20, TimeUnit.SECONDS); // taken while the writers overwrite keys
      cut.arm(); // the power goes at the start of the next fsync: its data never reaches disk
      assertThat(cut.awaitCut(10)).isTrue();
      copyAsThePowerCutLeftIt(data, afterCut, cut.durable);
      cut.release();
      stop.set(true);
      CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    }

    try (KvStore store = WalDirs.open(afterCut)) {
      var report = ((ShardedKvStore) store).recoveryReport();
      assertThat(report.snapshotLsn()).as("recovery started from the snapshot").isPositive();
      assertThat(report.recordsDropped()).as("the log reaches the snapshot's end").isZero();
      for (int t = 0; t < writers; t++) {
        assertPrefix(store, t);
      }
    }
  }

  /**
   * Writer t wrote seq 0, 1, 2, ... to key seq % 40 in order. A prefix of its writes means: with m
   * the newest seq present, every key holds the newest seq at or below m that went to it.
   */
  private static void assertPrefix(KvStore store, int t) {
    long[] seen = new long[KEYS_PER_WRITER];
    long m = -1;
    for (int k = 0; k < KEYS_PER_WRITER; k++) {
      String v = store.get("t" + t + ":" + k);
      seen[k] = v == null ? -1 : Long.parseLong(v);
      m = Math.max(m, seen[k]);
    }
    for (int k = 0; k < KEYS_PER_WRITER; k++) {
      long expected = m - ((m - k) % KEYS_PER_WRITER + KEYS_PER_WRITER) % KEYS_PER_WRITER;
      assertThat(seen[k])
          .as("writer %d key %d (newest seq present %d): not a prefix", t, k, m)
          .isEqualTo(expected < 0 ? -1 : expected);
    }
  }

  /** Copies the directory as a power cut would leave it: each segment cut to its synced bytes. */
  private static void copyAsThePowerCutLeftIt(Path from, Path to, Map<Path, Long> durable)
      throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (name.equals("LOCK") || name.endsWith(".tmp")) {
          continue; // a .tmp snapshot was never published
        }
        Path copy = to.resolve(name);
        Files.copy(p, copy);
        if (name.endsWith(".wal")) {
          long keep = durable.getOrDefault(p.toAbsolutePath(), (long) SegmentHeader.SIZE);
          try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.truncate(keep); // a new segment's header was synced when it was created
          }
        }
      }
    }
  }

  /** Records what each fsync made durable; once armed, freezes the writer at its next fsync. */
  static final class PowerCut implements WalFaults {
    final Map<Path, Long> durable = new ConcurrentHashMap<>();
    private volatile boolean armed;
    private final CountDownLatch cutDone = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    void arm() {
      armed = true;
    }

    boolean awaitCut(long seconds) throws InterruptedException {
      return cutDone.await(seconds, TimeUnit.SECONDS);
    }

    void release() {
      release.countDown();
    }

    @Override
    public void beforeSync(Path segment) {
      if (armed) {
        armed = false;
        cutDone.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void afterSync(Path segment, long durableBytes) {
      durable.put(segment.toAbsolutePath(), durableBytes);
    }
  }
}
