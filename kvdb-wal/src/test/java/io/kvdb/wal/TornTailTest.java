package io.kvdb.wal;

import static io.kvdb.wal.testing.WalDirs.contents;
import static io.kvdb.wal.testing.WalDirs.files;
import static io.kvdb.wal.testing.WalDirs.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.wal.internal.CorruptLogException;
import io.kvdb.wal.internal.RecordCodec;
import io.kvdb.wal.internal.SegmentHeader;
import io.kvdb.wal.testing.WalDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage at the end of the log is a torn write: reopening truncates it and keeps the valid prefix.
 * Damage before the end is corruption: reopening refuses, naming the file and offset.
 */
class TornTailTest {
  private static final int RECORDS = 20;

  @TempDir Path root;
  private Path source;

  /** The file offset where each record ends, and the state after each record. */
  private final List<Long> recordEnds = new ArrayList<>();

  private final List<Map<String, String>> states = new ArrayList<>();

  @BeforeEach
  void writeLog() {
    source = root.resolve("source");
    Map<String, String> model = new TreeMap<>();
    states.add(Map.copyOf(model));
    long end = SegmentHeader.SIZE;
    try (KvStore store = open(source)) {
      for (int i = 0; i < RECORDS; i++) {
        String key = "key" + (i % 7);
        String value = "value-" + i + "-" + "x".repeat(i);
        if (i % 5 == 4) {
          key = "key" + ((i + 3) % 7); // a key that exists: deletes of absent keys are not logged
          assertThat(store.delete(key)).isTrue();
          model.remove(key);
          end += RecordCodec.OVERHEAD + key.length();
        } else {
          store.put(key, value);
          model.put(key, value);
          end += RecordCodec.OVERHEAD + key.length() + value.length();
        }
        recordEnds.add(end);
        states.add(Map.copyOf(model));
      }
    }
    assertThat(segment(source)).hasSize(end);
  }

  private static Path segment(Path dir) {
    return files(dir, ".wal").get(0);
  }

  @Test
  void truncationAtEveryByteOfTheLastRecordsOpensWithTheValidPrefix() throws IOException {
    long from = recordEnds.get(RECORDS - 6);
    long to = recordEnds.get(RECORDS - 1);
    for (long cut = from; cut <= to; cut++) {
      Path dir = root.resolve("cut-" + cut);
      WalDirs.copy(source, dir);
      try (FileChannel ch = FileChannel.open(segment(dir), StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      int complete = completeRecordsBefore(cut);
      try (KvStore store = open(dir)) {
        assertThat(contents(store)).as("cut at %d", cut).isEqualTo(states.get(complete));
        assertThat(store.lastLsn()).isEqualTo(complete);
        long validEnd = complete == 0 ? SegmentHeader.SIZE : recordEnds.get(complete - 1);
        assertThat(((ShardedKvStore) store).recoveryReport().bytesTruncated())
            .isEqualTo(cut - validEnd);
        store.put("after", "crash"); // the log is writable again, right after the valid prefix
      }
      try (KvStore store = open(dir)) {
        assertThat(store.get("after")).isEqualTo("crash");
        assertThat(store.lastLsn()).isEqualTo(complete + 1);
      }
      WalDirs.delete(dir);
    }
  }

  @Test
  void everyBitFlipInTheLastRecordDropsOnlyThatRecord() throws IOException {
    long start = recordEnds.get(RECORDS - 2);
    long end = recordEnds.get(RECORDS - 1);
    for (long at = start; at < end; at++) {
      for (int bit = 0; bit < 8; bit += 3) {
        Path dir = root.resolve("flip-" + at + "-" + bit);
        WalDirs.copy(source, dir);
        flip(segment(dir), at, bit);
        try (KvStore store = open(dir)) {
          assertThat(contents(store))
              .as("flip at %d bit %d", at, bit)
              .isEqualTo(states.get(RECORDS - 1));
        }
        WalDirs.delete(dir);
      }
    }
  }

  @Test
  void corruptionBeforeTheTailIsRefusedNamingFileAndOffset() throws IOException {
    long badRecordStart = recordEnds.get(4);
    flip(segment(source), badRecordStart + 20, 1);
    assertThatThrownBy(() -> open(source))
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(CorruptLogException.class)
        .hasMessageContaining(segment(source).getFileName().toString())
        .hasMessageContaining("offset " + badRecordStart);
    // The operator's explicit last resort: truncate there and open with the prefix.
    try (KvStore store = open(SegmentedWal.builder().directory(source).truncateCorruption(true))) {
      assertThat(contents(store)).isEqualTo(states.get(5));
    }
  }

  @Test
  void garbageAppendedAfterTheLastRecordIsTruncated() throws IOException {
    // Not zeros: a tail of zeros is the active segment's zero-filled space (ZeroFillTest).
    Files.write(
        segment(source), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, StandardOpenOption.APPEND);
    try (KvStore store = open(source)) {
      assertThat(contents(store)).isEqualTo(states.get(RECORDS));
      assertThat(((ShardedKvStore) store).recoveryReport().bytesTruncated()).isEqualTo(11);
    }
  }

  @Test
  void corruptionInASealedSegmentIsRefused() throws IOException {
    Path dir = root.resolve("sealed");
    try (KvStore store = open(SegmentedWal.builder().directory(dir).segmentSize(4096))) {
      for (int i = 0; i < 300; i++) {
        store.put("k" + i, "v".repeat(20));
      }
    }
    List<Path> segments = files(dir, ".wal");
    assertThat(segments).hasSizeGreaterThan(2);
    flip(segments.get(0), Files.size(segments.get(0)) - 3, 0); // the tail of a sealed segment
    assertThatThrownBy(() -> open(dir))
        .hasMessageContaining("sealed segment")
        .hasMessageContaining(segments.get(0).getFileName().toString());
  }

  @Test
  void aMissingSegmentIsAnLsnGapAndRefused() throws IOException {
    Path dir = root.resolve("gap");
    try (KvStore store = open(SegmentedWal.builder().directory(dir).segmentSize(4096))) {
      for (int i = 0; i < 300; i++) {
        store.put("k" + i, "v".repeat(20));
      }
    }
    List<Path> segments = files(dir, ".wal");
    Files.delete(segments.get(1));
    assertThatThrownBy(() -> open(dir))
        .hasMessageContaining("LSN gap")
        .hasMessageContaining(segments.get(2).getFileName().toString());
  }

  private int completeRecordsBefore(long cut) {
    int n = 0;
    while (n < recordEnds.size() && recordEnds.get(n) <= cut) {
      n++;
    }
    return n;
  }

  private static void flip(Path file, long offset, int bit) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ (1 << bit)));
      b.position(0);
      ch.write(b, offset);
    }
  }
}
