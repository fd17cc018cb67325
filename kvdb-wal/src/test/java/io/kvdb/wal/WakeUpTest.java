package io.kvdb.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every wait on the log ends once what it waits for happened, with no later write to wake it
 * (replication issue, item 3: {@code whenSynced} checked its fast path without the lock and was not
 * woken when the group completed in between; about 3 hangs in 1,200 calls under {@code always}).
 */
class WakeUpTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void whenSyncedRightAfterAnAppendIsAlwaysWoken() throws Exception {
    for (FsyncPolicy policy : FsyncPolicy.values()) {
      SegmentedWal wal = WalDirs.wal(dir.resolve(policy.name()), policy).build();
      try (KvStore store = KvStore.builder().wal(wal).build()) {
        for (int i = 0; i < 3000; i++) {
          store.putAsync(("k" + i).getBytes(UTF_8), "v".getBytes(UTF_8));
          long lsn = wal.lastLsn();
          try {
            // Nothing else is written after this: only the group's own completion can wake it.
            wal.whenSynced(lsn).get(5, TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            throw new AssertionError(
                policy + ": whenSynced(" + lsn + ") never completed (call " + i + ")", e);
          }
          assertThat(wal.syncedLsn()).isGreaterThanOrEqualTo(lsn);
        }
      }
    }
  }
}
