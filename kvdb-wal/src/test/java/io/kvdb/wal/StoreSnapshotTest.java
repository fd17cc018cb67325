package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreEngine;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code KvStore.snapshot()}: an embedded store takes a snapshot without reaching for its log. */
class StoreSnapshotTest {
  @TempDir Path dir;

  @Test
  void aSnapshotTakenThroughTheStoreShortensTheNextRecovery() throws Exception {
    long lsn;
    try (KvStore store =
        KvStore.builder().wal(SegmentedWal.builder().directory(dir).build()).build()) {
      for (int i = 0; i < 1000; i++) {
        store.put("k" + i, "v" + i);
      }
      lsn = store.snapshot().get(30, TimeUnit.SECONDS);
      assertThat(lsn).isEqualTo(1000);
      store.put("after", "x");
    }
    try (KvStore reopened =
        KvStore.builder().wal(SegmentedWal.builder().directory(dir).build()).build()) {
      RecoveryReport report = ((StoreEngine) reopened).recoveryReport();
      assertThat(report.snapshotLsn()).isEqualTo(lsn);
      assertThat(report.recordsReplayed()).isEqualTo(1); // only the write after the snapshot
      assertThat(reopened.get("k999")).isEqualTo("v999");
      assertThat(reopened.get("after")).isEqualTo("x");
    }
  }

  @Test
  void aStoreWithoutALogSaysItHasNothingToSnapshot() {
    try (KvStore store = KvStore.builder().build()) {
      assertThatThrownBy(() -> store.snapshot().get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("nothing to snapshot");
    }
  }
}
