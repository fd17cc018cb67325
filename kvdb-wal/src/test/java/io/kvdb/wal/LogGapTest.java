package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.HistoryUnavailableException;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.wal.internal.SnapshotFile;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gap in the log is a full sync, never "not written yet" (replication issue, item 9): after a
 * recovery that continued past a snapshot whose end the log lacked, a cursor in the gap used to
 * wait forever while its slave showed online; and the fork point must be the snapshot's end E.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogGapTest {
  @TempDir Path dir;

  @Test
  void aCursorInAGapFailsAsUnavailableAndTheForkIsAtTheSnapshotsEnd() throws Exception {
    Path data = dir.resolve("d");
    Path full = dir.resolve("full");
    LogHistory before;
    SegmentedWal wal = WalDirs.wal(data, FsyncPolicy.ALWAYS).segmentSize(4096).build();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      for (int i = 1; i <= 2000; i++) {
        store.put("k" + i, "v" + i);
      }
      before = wal.history();
    }
    WalDirs.copy(data, full);
    // Lose the log's last segments, as a truncation or a lost file would ...
    List<Path> segments = WalDirs.files(data, ".wal");
    assertThat(segments.size()).isGreaterThan(3);
    Files.delete(segments.get(segments.size() - 1));
    Files.delete(segments.get(segments.size() - 2));
    // ... under a snapshot from S = 1000 whose walk ended at E = 2000: newer than the log.
    try (KvStore complete = WalDirs.open(full)) {
      SnapshotFile.write(data, 1000, (StoreState) complete, () -> false, () -> 2000, e -> {});
    }

    SegmentedWal reopened = WalDirs.wal(data, FsyncPolicy.ALWAYS).segmentSize(4096).build();
    try (KvStore store = KvStore.builder().wal(reopened).build()) {
      long intact = lastIntact(reopened);
      assertThat(intact).isBetween(1001L, 1999L);
      assertThat(reopened.lastLsn()).isEqualTo(2000);
      LogHistory after = reopened.history();
      assertThat(after.id()).isNotEqualTo(before.id());
      assertThat(after.previousId()).isEqualTo(before.id());
      assertThat(after.forkLsn()).as("shared up to the snapshot's end").isEqualTo(2000);

      // Opening in the gap: unavailable at once.
      assertThatThrownBy(() -> reopened.openCursor(intact + 1))
          .isInstanceOf(HistoryUnavailableException.class)
          .hasMessageContaining("gap");
      // Reading into the gap from before it: the records up to it, then unavailable — not null
      // forever.
      store.put("after", "gap"); // LSN 2001, in a new segment
      try (LogCursor c = reopened.openCursor(intact - 5)) {
        long last = 0;
        for (int i = 0; i < 6; i++) {
          WalRecord r = c.next();
          assertThat(r).isNotNull();
          last = r.lsn();
        }
        assertThat(last).isEqualTo(intact);
        assertThatThrownBy(c::next).isInstanceOf(HistoryUnavailableException.class);
      }
      // After the gap the log reads on.
      try (LogCursor c = reopened.openCursor(2001)) {
        assertThat(c.next().lsn()).isEqualTo(2001);
      }
    }
  }

  /** Segments deleted below an exact snapshot leave a gap for cursors, not for recovery. */
  @Test
  void aCursorBeforeAnExactSnapshotWhoseSegmentsAreGoneFailsAsUnavailable() throws Exception {
    Path data = dir.resolve("d");
    SegmentedWal wal = WalDirs.wal(data, FsyncPolicy.ALWAYS).segmentSize(4096).build();
    try (KvStore store = KvStore.builder().wal(wal).build();
        AutoCloseable hold = wal.retainHistory(() -> 1)) { // keep every segment
      for (int i = 1; i <= 2000; i++) {
        store.put("k" + i, "v" + i);
      }
      assertThat(wal.snapshot().get(10, TimeUnit.SECONDS)).isEqualTo(2000L);
    }
    List<Path> segments = WalDirs.files(data, ".wal");
    Files.delete(segments.get(segments.size() - 1));
    Files.delete(segments.get(segments.size() - 2));
    SegmentedWal reopened = WalDirs.wal(data, FsyncPolicy.ALWAYS).segmentSize(4096).build();
    try (KvStore store = KvStore.builder().wal(reopened).build()) {
      store.put("after", "gap");
      long intact = lastIntact(reopened);
      assertThat(intact).isLessThan(2000);
      try (LogCursor c = reopened.openCursor(intact)) {
        assertThat(c.next().lsn()).isEqualTo(intact);
        assertThatThrownBy(c::next)
            .isInstanceOf(HistoryUnavailableException.class)
            .hasMessageContaining("gap");
      }
    }
  }

  /** The last LSN the log holds before its gap: the highest a cursor from 1 can read. */
  private static long lastIntact(SegmentedWal wal) throws Exception {
    long last = 0;
    try (LogCursor c = wal.openCursor(1)) {
      while (true) {
        WalRecord r;
        try {
          r = c.next();
        } catch (HistoryUnavailableException gap) {
          return last;
        }
        if (r == null) {
          return last;
        }
        last = r.lsn();
      }
    }
  }
}
