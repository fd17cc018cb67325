package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.wal.internal.CleanClose;
import io.kvdb.wal.internal.SegmentReader;
import io.kvdb.wal.testing.WalDirs;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A power cut under {@code everysec}/{@code never} can take a log's unsynced tail and leave the
 * last segment ending exactly on a record boundary — no zeros, no torn record — which no check of
 * the segment can tell from a close. Found by the replication fault runs: a master cut back that
 * way did not fork its history, reissued the lost LSNs with other writes, and a slave holding the
 * old records continued from them — same history, same LSN, different data. Only the {@code CLEAN}
 * marker written by a close makes an end clean.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CleanCloseTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"EVERYSEC", "NEVER"})
  void aCrashThatEndsTheLogOnARecordBoundaryForksItsHistory(FsyncPolicy policy) throws Exception {
    Path data = dir.resolve("data");
    Path crashed = dir.resolve("crashed");
    LogHistory before;
    SegmentedWal wal = WalDirs.wal(data, policy).build();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      for (int i = 1; i <= 20; i++) {
        store.put("k" + i, "v" + i);
      }
      before = wal.history();
      // The directory as a power cut leaves it while the store runs: the segment ends at a
      // record's end (here: the 15th), nothing after it.
      WalDirs.copy(data, crashed);
    }
    List<Path> segments = WalDirs.files(crashed, ".wal");
    Path last = segments.get(segments.size() - 1);
    long end = endOfRecord(last, 15);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(end);
    }

    SegmentedWal reopened = WalDirs.wal(crashed, policy).build();
    try (KvStore store = KvStore.builder().wal(reopened).build()) {
      assertThat(store.lastLsn()).isEqualTo(15);
      LogHistory after = reopened.history();
      assertThat(after.id())
          .as("LSNs 16.. may have been handed out: a new history")
          .isNotEqualTo(before.id());
      assertThat(after.previousId()).isEqualTo(before.id());
      assertThat(after.forkLsn()).isEqualTo(15);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FsyncPolicy.class)
  void aCleanCloseKeepsTheHistoryAndTheMarkerIsConsumedByTheNextOpen(FsyncPolicy policy)
      throws Exception {
    LogHistory before;
    SegmentedWal wal = WalDirs.wal(dir, policy).build();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      store.put("a", "1");
      assertThat(dir.resolve(CleanClose.FILE)).doesNotExist();
      before = wal.history();
    }
    assertThat(dir.resolve(CleanClose.FILE)).exists();

    SegmentedWal reopened = WalDirs.wal(dir, policy).build();
    try (KvStore store = KvStore.builder().wal(reopened).build()) {
      assertThat(dir.resolve(CleanClose.FILE)).as("consumed before any append").doesNotExist();
      assertThat(reopened.history()).isEqualTo(before);
      assertThat(store.get("a")).isEqualTo("1");
    }
  }

  @Test
  void aMarkerForAnotherLsnIsNotACleanEnd() throws Exception {
    LogHistory before;
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.NEVER).build();
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      store.put("a", "1");
      store.put("b", "2");
      before = wal.history();
    }
    CleanClose.write(dir, 1); // a stale marker: the log goes on past it
    SegmentedWal reopened = WalDirs.wal(dir, FsyncPolicy.NEVER).build();
    try (KvStore store = KvStore.builder().wal(reopened).build()) {
      assertThat(reopened.history().id()).isNotEqualTo(before.id());
    }
  }

  private static long endOfRecord(Path segment, long lsn) throws Exception {
    try (SegmentReader reader = new SegmentReader(segment)) {
      var r = reader.next();
      while (r != null && r.lsn() < lsn) {
        r = reader.next();
      }
      assertThat(r).isNotNull();
      return reader.validEnd();
    }
  }
}
