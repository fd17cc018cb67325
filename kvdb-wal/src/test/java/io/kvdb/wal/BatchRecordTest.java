package io.kvdb.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.wal.internal.GroupCommitter;
import io.kvdb.wal.internal.SegmentHeader;
import io.kvdb.wal.testing.WalDirs;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-key writes in the log: one BATCH record, recovered, torn and read by cursors whole. */
class BatchRecordTest {
  @TempDir Path dir;

  @Test
  void aBatchIsOneRecordThatSurvivesRotationAndReopen() throws Exception {
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.ALWAYS).segmentSize(4096).build();
    try (KvStore store = KvStore.builder().shards(8).wal(wal).build()) {
      for (int gen = 0; gen < 20; gen++) {
        store.putAllAsync(pairs(200, "g" + gen)).join();
      }
      assertThat(store.lastLsn()).isEqualTo(20);
      try (LogCursor c = wal.openCursor(1)) {
        for (long lsn = 1; lsn <= 20; lsn++) {
          WalRecord r = c.next();
          assertThat(r.lsn()).isEqualTo(lsn);
          assertThat(r.type()).isEqualTo(RecordType.BATCH);
          assertThat(r.mutations()).hasSize(200);
        }
        assertThat(c.next()).isNull();
      }
    }
    try (KvStore store = WalDirs.open(dir)) {
      for (int i = 0; i < 200; i++) {
        assertThat(store.get("k" + i)).isEqualTo("g19");
      }
    }
  }

  @Test
  void aTornBatchAtTheTailIsDroppedWhole() throws Exception {
    try (KvStore store = WalDirs.open(WalDirs.wal(dir, FsyncPolicy.ALWAYS))) {
      store.putAllAsync(pairs(100, "old")).join();
      store.putAllAsync(pairs(100, "new")).join();
    }
    Path segment = WalDirs.files(dir, ".wal").get(0);
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 700); // the crash cut the second MSET's record in its middle
    }
    try (KvStore store = WalDirs.open(dir)) {
      for (int i = 0; i < 100; i++) {
        assertThat(store.get("k" + i)).as("k%d", i).isEqualTo("old");
      }
      var report = ((ShardedKvStore) store).recoveryReport();
      assertThat(report.recordsDropped()).isEqualTo(1);
      assertThat(report.lastLsn()).isEqualTo(1);
      store.put("after", "x"); // LSN 2 again, in the history that continues from LSN 1
      assertThat(store.lastLsn()).isEqualTo(2);
    }
  }

  @Test
  void aSegmentOfTheFirstFormatStillOpensAndIsNotAppendedTo() throws Exception {
    try (KvStore store = WalDirs.open(WalDirs.wal(dir, FsyncPolicy.ALWAYS))) {
      store.put("a", "1");
      store.put("b", "2");
    }
    Path v1 = WalDirs.files(dir, ".wal").get(0);
    try (FileChannel ch = FileChannel.open(v1, StandardOpenOption.WRITE)) {
      ch.write(SegmentHeader.encode(1, 1), 0); // as the previous build wrote it
    }
    try (KvStore store = WalDirs.open(dir)) {
      assertThat(store.get("a")).isEqualTo("1");
      store.putAllAsync(pairs(3, "batch")).join();
    }
    List<Path> segments = WalDirs.files(dir, ".wal");
    assertThat(segments).hasSize(2); // the batch went to a new segment of the current version
    try (FileChannel ch = FileChannel.open(segments.get(1), StandardOpenOption.READ)) {
      assertThat(SegmentHeader.read(ch, segments.get(1)).version())
          .isEqualTo(SegmentHeader.VERSION);
    }
    try (KvStore store = WalDirs.open(dir)) {
      assertThat(store.get("b")).isEqualTo("2");
      assertThat(store.get("k2")).isEqualTo("batch");
    }
  }

  @Test
  void largeValuesPassThroughTheFixedBufferInChunks() throws Exception {
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.ALWAYS).build();
    int size = 6 << 20; // six times the group buffer
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      for (int i = 0; i < 5; i++) {
        byte[] v = new byte[size];
        java.util.Arrays.fill(v, (byte) ('a' + i));
        v[size - 1] = '!';
        writes.add(store.putAsync(("big" + i).getBytes(UTF_8), v));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
      store.putAllAsync(List.of(b("m1"), new byte[size], b("m2"), new byte[size])).join();
      assertThat(bufferCapacity(wal)).isEqualTo(1 << 20);
    }
    try (KvStore store = WalDirs.open(dir)) {
      for (int i = 0; i < 5; i++) {
        byte[] v = store.get(("big" + i).getBytes(UTF_8));
        assertThat(v).hasSize(size);
        assertThat(v[0]).isEqualTo((byte) ('a' + i));
        assertThat(v[size - 1]).isEqualTo((byte) '!');
      }
      assertThat(store.get(b("m2"))).hasSize(size);
    }
  }

  private static int bufferCapacity(SegmentedWal wal) throws Exception {
    Field committer = SegmentedWal.class.getDeclaredField("committer");
    committer.setAccessible(true);
    Field files = GroupCommitter.class.getDeclaredField("files");
    files.setAccessible(true);
    Object segmentWriter = files.get(committer.get(wal));
    Field out = segmentWriter.getClass().getDeclaredField("out");
    out.setAccessible(true);
    Object writer = out.get(segmentWriter);
    var capacity = writer.getClass().getDeclaredMethod("capacity");
    capacity.setAccessible(true);
    return (int) capacity.invoke(writer);
  }

  static List<byte[]> pairs(int n, String value) {
    List<byte[]> kv = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      kv.add(b("k" + i));
      kv.add(b(value));
    }
    return kv;
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}
