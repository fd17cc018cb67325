package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.wal.internal.SnapshotFile;
import io.kvdb.wal.internal.WalFileNames;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots taken while writers overwrite values of the same length (which the store does in place)
 * hold only values that were written whole, and restart exactly at the last write.
 */
class SnapshotUnderLoadTest {
  @TempDir Path dir;

  @Test
  void snapshotsNeverCaptureATornValue() throws Exception {
    SegmentedWal wal =
        SegmentedWal.builder()
            .directory(dir)
            .fsync(FsyncPolicy.NEVER)
            .segmentSize(1 << 20)
            .snapshotThreshold(0)
            .build();
    int writers = 3;
    int keys = 2;
    int size = 32 * 1024; // large enough that an unvalidated copy visibly races the writer
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    Map<String, String> last = new java.util.concurrent.ConcurrentHashMap<>();
    try (KvStore store = KvStore.builder().shards(2).wal(wal).build()) {
      for (int w = 0; w < writers; w++) {
        int id = w;
        Thread t =
            new Thread(
                () -> {
                  for (long i = 0; !stop.get(); i++) {
                    String key = "w" + id + ":" + (i % keys);
                    // Every value is 64 bytes of one repeated digit: a torn value mixes digits.
                    String value = String.valueOf((char) ('0' + (i % 10))).repeat(64);
                    store.put(key, value);
                    last.put(key, value);
                  }
                });
        threads.add(t);
        t.start();
      }
      List<String> torn = new java.util.concurrent.CopyOnWriteArrayList<>();
      long[] entries = {0};
      for (int round = 0; round < 100; round++) {
        store.put("round", Integer.toString(round));
        long lsn = wal.snapshot().get();
        // Read the snapshot file itself: replay after it would hide a torn value.
        entries[0] +=
            SnapshotFile.read(
                    dir.resolve(WalFileNames.snapshotName(lsn)),
                    lsn,
                    (k, v, exp) -> {
                      String value = new String(v, java.nio.charset.StandardCharsets.UTF_8);
                      if (value.length() == 64 && value.chars().distinct().count() != 1) {
                        torn.add(value);
                      }
                    })
                .entries();
      }
      assertThat(torn).isEmpty();
      assertThat(entries[0]).isGreaterThan(100L * keys);
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
    }
    try (KvStore reopened = WalDirs.open(dir)) {
      Map<String, String> contents = WalDirs.contents(reopened);
      assertThat(contents).containsAllEntriesOf(last);
      for (String v : contents.values()) {
        if (v.length() == size) {
          assertThat(v.chars().distinct().count()).as("torn value %s", v).isEqualTo(1);
        }
      }
    }
  }
}
