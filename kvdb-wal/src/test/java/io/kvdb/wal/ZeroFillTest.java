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
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.wal.internal.RecordCodec;
import io.kvdb.wal.internal.SegmentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active segment is zero-filled ahead of its records (so an fdatasync does not also wait for a
 * journal commit); a crash leaves those zeros behind the last record. They must read as a clean
 * end, never as damage, and never hide damage in front of them.
 */
class ZeroFillTest {
  @TempDir Path root;
  private Path dir;
  private final Map<String, String> model = new TreeMap<>();
  private long end = SegmentHeader.SIZE; // where the records end

  @BeforeEach
  void writeRecords() throws IOException {
    dir = root.resolve("wal");
    try (KvStore store = open(dir)) {
      put(store, 10);
      Path segment = segment();
      assertThat(Files.size(segment)).isGreaterThan(end);
      assertThat(zerosFrom(segment, end)).isTrue();
    }
    // A clean close seals the segment at its last record.
    assertThat(segment()).hasSize(end);
  }

  private void put(KvStore store, int n) {
    for (int i = 0; i < n; i++) {
      String key = "key" + model.size();
      String value = "value-" + "v".repeat(model.size());
      store.put(key, value);
      model.put(key, value);
      end += RecordCodec.OVERHEAD + key.length() + value.length();
    }
  }

  private Path segment() {
    return files(dir, ".wal").get(0);
  }

  private static boolean zerosFrom(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (long i = offset; i < bytes.length; i++) {
      if (bytes[(int) i] != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void zerosAfterTheLastRecordAreACleanEndAndAreWrittenOver() throws IOException {
    Files.write(segment(), new byte[1 << 20], StandardOpenOption.APPEND); // as a crash leaves it
    try (KvStore store = open(dir)) {
      assertThat(contents(store)).isEqualTo(model);
      assertThat(((ShardedKvStore) store).recoveryReport().bytesTruncated()).isZero();
      put(store, 5); // into the zeros
    }
    assertThat(segment()).hasSize(end);
    try (KvStore store = open(dir)) {
      assertThat(contents(store)).isEqualTo(model);
      assertThat(((ShardedKvStore) store).recoveryReport().bytesTruncated()).isZero();
    }
  }

  @Test
  void aCursorTailingTheActiveSegmentWhileItIsWrittenReadsEveryRecord() throws Exception {
    // What a replica's source does: read the log just behind the writer, through segment
    // rotations, while each group lands in space the cursor may already have buffered as zeros.
    Path tailed = root.resolve("tailed");
    int n = 20_000;
    SegmentedWal w = wal(tailed, FsyncPolicy.NEVER).segmentSize(256 << 10).build();
    try (KvStore store = KvStore.builder().wal(w).build();
        LogCursor cursor = w.openCursor(1)) {
      Thread writer =
          new Thread(
              () -> {
                for (int i = 1; i <= n; i++) {
                  store.put("k" + i, "v" + i + "-" + "x".repeat(i % 97));
                }
              });
      writer.start();
      long[] next = {1};
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(1))
          .until(
              () -> {
                WalRecord r;
                while ((r = cursor.next()) != null) {
                  long i = next[0]++;
                  assertThat(r.lsn()).isEqualTo(i);
                  assertThat(new String(r.key(), UTF_8)).isEqualTo("k" + i);
                  assertThat(new String(r.value(), UTF_8))
                      .isEqualTo("v" + i + "-" + "x".repeat((int) (i % 97)));
                }
                return next[0] > n;
              });
      writer.join();
    }
    assertThat(files(tailed, ".wal")).hasSizeGreaterThan(3); // it crossed rotations
  }

  @Test
  void aTornRecordInTheZeroFilledSpaceIsTruncatedWithTheZeros() throws IOException {
    byte[] bytes = Files.readAllBytes(segment());
    // The first 20 bytes of a record (a valid-looking prefix), then zeros: a group cut by a crash.
    byte[] torn = Arrays.copyOfRange(bytes, SegmentHeader.SIZE, SegmentHeader.SIZE + 20);
    Files.write(segment(), torn, StandardOpenOption.APPEND);
    Files.write(segment(), new byte[64 << 10], StandardOpenOption.APPEND);
    try (KvStore store = open(dir)) {
      assertThat(contents(store)).isEqualTo(model);
      assertThat(((ShardedKvStore) store).recoveryReport().bytesTruncated())
          .isEqualTo(20 + (64 << 10));
    }
  }

  @Test
  void aZeroedRecordHeaderWithDataAfterItIsNotMistakenForTheEnd() throws IOException {
    // Zero the header of record 5 of 10: the records after it are data that must not be dropped
    // silently as "zero-filled space".
    byte[] bytes = Files.readAllBytes(segment());
    long at = SegmentHeader.SIZE;
    for (int i = 0; i < 4; i++) {
      at += RecordCodec.PREFIX + ByteBuffer.wrap(bytes, (int) at + 4, 4).getInt();
    }
    Arrays.fill(bytes, (int) at, (int) at + RecordCodec.PREFIX, (byte) 0);
    Files.write(segment(), bytes);
    assertThatThrownBy(() -> open(dir))
        .hasMessageContaining("offset " + at)
        .hasMessageContaining("record header is zeros");
  }
}
