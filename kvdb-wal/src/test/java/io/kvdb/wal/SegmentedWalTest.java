package io.kvdb.wal;

import static io.kvdb.wal.testing.WalDirs.contents;
import static io.kvdb.wal.testing.WalDirs.files;
import static io.kvdb.wal.testing.WalDirs.open;
import static io.kvdb.wal.testing.WalDirs.wal;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.spi.HistoryUnavailableException;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.WalRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A store on a SegmentedWal: reopening restores exactly what was acknowledged. */
class SegmentedWalTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(FsyncPolicy.class)
  void reopenRestoresPutsDeletesAndClears(FsyncPolicy policy) {
    try (KvStore store = open(wal(dir, policy))) {
      store.put("a", "1");
      store.put("b", "2");
      store.put("a", "3");
      store.delete("b");
      store.put(new byte[0], new byte[] {0, -1});
    }
    try (KvStore store = open(wal(dir, policy))) {
      assertThat(store.get("a")).isEqualTo("3");
      assertThat(store.get("b")).isNull();
      assertThat(store.get(new byte[0])).containsExactly(0, -1);
      assertThat(store.lastLsn()).isEqualTo(5);
      store.clearAsync().join();
      store.put("c", "4");
    }
    try (KvStore store = open(wal(dir, policy))) {
      assertThat(contents(store)).isEqualTo(Map.of("c", "4"));
      assertThat(store.lastLsn()).isEqualTo(7);
    }
  }

  @Test
  void recoveryReportsWhatItDid() {
    try (KvStore store = open(dir)) {
      for (int i = 0; i < 10; i++) {
        store.put("k" + i, "v");
      }
    }
    try (KvStore store = open(dir)) {
      RecoveryReport r = ((ShardedKvStore) store).recoveryReport();
      assertThat(r.recordsReplayed()).isEqualTo(10);
      assertThat(r.lastLsn()).isEqualTo(10);
      assertThat(r.bytesTruncated()).isZero();
      assertThat(r.took()).isPositive().isLessThan(java.time.Duration.ofSeconds(30));
      assertThat(r.recordsDropped()).isZero();
    }
  }

  @Test
  void secondStoreOnTheSameDirectoryIsRefused() {
    try (KvStore first = open(dir)) {
      first.put("a", "1");
      assertThatThrownBy(() -> open(dir))
          .hasMessageContaining("already in use")
          .hasMessageContaining(dir.toAbsolutePath().toString());
      assertThat(first.get("a")).isEqualTo("1");
    }
    try (KvStore again = open(dir)) {
      assertThat(again.get("a")).isEqualTo("1");
    }
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> SegmentedWal.builder().segmentSize(10))
        .hasMessageContaining("segmentSize")
        .hasMessageContaining("10");
    assertThatThrownBy(() -> SegmentedWal.builder().batchSize(0)).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> SegmentedWal.builder().batchTimeout(Duration.ofSeconds(5)))
        .hasMessageContaining("batchTimeout");
    assertThatThrownBy(() -> SegmentedWal.builder().snapshotThreshold(-1))
        .hasMessageContaining("snapshotThreshold");
    assertThatThrownBy(() -> SegmentedWal.builder().build()).hasMessageContaining("directory");
  }

  @Test
  void segmentsRotateAndAreNamedByTheirFirstLsn() {
    SegmentedWalBuilder b = wal(dir, FsyncPolicy.NEVER).segmentSize(4096).snapshotThreshold(0);
    Map<String, String> model = new TreeMap<>();
    try (KvStore store = open(b)) {
      for (int i = 0; i < 500; i++) {
        store.put("key" + (i % 120), "value-" + i);
        model.put("key" + (i % 120), "value-" + i);
      }
    }
    List<Path> segments = files(dir, ".wal");
    assertThat(segments).hasSizeGreaterThan(5);
    assertThat(segments.get(0).getFileName().toString()).isEqualTo("00000000000000000001.wal");
    for (Path p : segments) {
      assertThat(p.getFileName().toString()).matches("\\d{20}\\.wal");
    }
    try (KvStore store = open(b)) {
      assertThat(contents(store)).isEqualTo(model);
      assertThat(store.lastLsn()).isEqualTo(500);
    }
  }

  @Test
  void snapshotThenRestartIsEqualAndCoveredSegmentsAreDeleted() throws Exception {
    SegmentedWal w = wal(dir, FsyncPolicy.ALWAYS).segmentSize(4096).snapshotThreshold(0).build();
    Map<String, String> model = new TreeMap<>();
    try (KvStore store = KvStore.builder().wal(w).build()) {
      for (int i = 0; i < 400; i++) {
        store.put("key" + (i % 50), "v" + i);
        model.put("key" + (i % 50), "v" + i);
      }
      int before = files(dir, ".wal").size();
      long snapLsn = w.snapshot().get();
      assertThat(snapLsn).isEqualTo(400);
      assertThat(files(dir, ".snap"))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("00000000000000000400.snap");
      assertThat(files(dir, ".wal").size()).isLessThan(before);
      for (int i = 0; i < 30; i++) {
        store.delete("key" + i);
        model.remove("key" + i);
      }
    }
    try (KvStore store = open(wal(dir, FsyncPolicy.ALWAYS).segmentSize(4096))) {
      assertThat(contents(store)).isEqualTo(model);
      RecoveryReport r = ((ShardedKvStore) store).recoveryReport();
      assertThat(r.snapshotLsn()).isEqualTo(400);
      assertThat(r.recordsReplayed()).isEqualTo(30);
    }
  }

  @Test
  void automaticSnapshotsKeepDiskUseBounded() {
    SegmentedWalBuilder b =
        wal(dir, FsyncPolicy.NEVER).segmentSize(8192).snapshotThreshold(32 * 1024);
    Map<String, String> model = new TreeMap<>();
    try (KvStore store = open(b)) {
      for (int i = 0; i < 20_000; i++) {
        store.put("key" + (i % 100), "value-" + i);
        model.put("key" + (i % 100), "value-" + i);
      }
      // Segments are deleted in the background once a snapshot covers them.
      await().atMost(Duration.ofSeconds(20)).until(() -> files(dir, ".wal").size() <= 8);
      assertThat(files(dir, ".snap")).hasSizeLessThanOrEqualTo(1);
    }
    try (KvStore store = open(b)) {
      assertThat(contents(store)).isEqualTo(model);
    }
  }

  @Test
  void concurrentWritersAllCompleteAndSurviveReopen() throws Exception {
    int threads = 8;
    int perThread = 500;
    SegmentedWal wal = SegmentedWal.builder().directory(dir).build();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      List<Thread> workers = new ArrayList<>();
      List<CompletableFuture<Void>> futures =
          java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    futures.add(
                        store.putAsync(
                            ("t" + id + ":" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8)));
                  }
                });
        workers.add(th);
        th.start();
      }
      for (Thread th : workers) {
        th.join();
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get();
      assertThat(store.lastLsn()).isEqualTo((long) threads * perThread);
      var stats = wal.stats();
      assertThat(stats.records()).isEqualTo((long) threads * perThread);
      assertThat(stats.groups()).isBetween(1L, stats.records());
      assertThat(stats.fsyncs()).isEqualTo(stats.groups()); // ALWAYS: one fsync per group
    }
    try (KvStore store = open(dir)) {
      assertThat(store.size()).isEqualTo((long) threads * perThread);
      assertThat(store.get("t7:499")).isEqualTo("v499");
    }
  }

  @Test
  void cursorReadsHistoryInLsnOrderAndReportsCompactedHistory() throws Exception {
    SegmentedWal w = wal(dir, FsyncPolicy.ALWAYS).segmentSize(4096).snapshotThreshold(0).build();
    try (KvStore store = KvStore.builder().wal(w).build()) {
      for (int i = 1; i <= 300; i++) {
        store.put("k" + i, "v" + i);
      }
      try (LogCursor c = w.openCursor(250)) {
        List<Long> lsns = new ArrayList<>();
        WalRecord r;
        while ((r = c.next()) != null) {
          lsns.add(r.lsn());
          assertThat(r.type()).isEqualTo(RecordType.PUT);
          assertThat(new String(r.key(), UTF_8)).isEqualTo("k" + r.lsn());
        }
        assertThat(lsns).hasSize(51).startsWith(250L).endsWith(300L);
        store.put("k301", "v301");
        assertThat(c.next().lsn()).isEqualTo(301); // the cursor follows new records
      }
      AutoCloseable hold = w.retainHistory(() -> 10);
      w.snapshot().get();
      try (LogCursor c = w.openCursor(10)) {
        assertThat(c.next().lsn()).isEqualTo(10); // held back for a replica
      }
      hold.close();
      store.put("k302", "v");
      w.snapshot().get();
      assertThatThrownBy(() -> w.openCursor(10)).isInstanceOf(HistoryUnavailableException.class);
    }
  }

  @Test
  void replicatedRecordsKeepTheirLsnsAcrossRestart() {
    try (KvStore store = open(dir)) {
      store
          .applyReplicated(
              new WalRecord(1, RecordType.PUT, "a".getBytes(UTF_8), "1".getBytes(UTF_8), 1234L))
          .join();
      store.applyReplicated(WalRecord.delete(2, "a".getBytes(UTF_8))).join();
      store.applyReplicated(WalRecord.put(3, "b".getBytes(UTF_8), "2".getBytes(UTF_8))).join();
      assertThatThrownBy(
              () -> store.applyReplicated(WalRecord.put(5, "c".getBytes(UTF_8), new byte[0])))
          .hasMessageContaining("expects 4");
    }
    try (KvStore store = open(dir)) {
      assertThat(contents(store)).isEqualTo(Map.of("b", "2"));
      assertThat(store.lastLsn()).isEqualTo(3);
    }
  }

  @Test
  void temporaryFilesFromAnUnfinishedSnapshotAreRemoved() throws Exception {
    try (KvStore store = open(dir)) {
      store.put("a", "1");
    }
    Path tmp = dir.resolve("00000000000000000001.snap.tmp");
    Files.write(tmp, new byte[] {1, 2, 3});
    try (KvStore store = open(dir)) {
      assertThat(store.get("a")).isEqualTo("1");
    }
    assertThat(tmp).doesNotExist();
  }
}
