package io.kvdb.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Expiry through a real log: absolute times survive, expired keys are dropped and logged. */
@Timeout(60)
class ExpiryRecoveryTest {
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path dir;

  private static Clock at(long millis) {
    return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
  }

  private ShardedKvStore open(long now) {
    return (ShardedKvStore)
        KvStore.builder()
            .shards(4)
            .clock(at(now))
            .wal(WalDirs.wal(dir, FsyncPolicy.ALWAYS).build())
            .build();
  }

  @Test
  void keysThatExpiredWhileDownAreGoneAfterRecoveryAndTheirRemovalIsLogged() throws Exception {
    long lastLsn;
    try (ShardedKvStore s = open(T0)) {
      s.put(b("short"), b("v"), Duration.ofSeconds(10));
      s.put(b("extended"), b("v"), Duration.ofSeconds(10));
      s.expire(b("extended"), Duration.ofHours(1)); // an EXPIRE record after the PUT
      s.put(b("long"), b("v"), Duration.ofHours(2));
      s.put("plain", "v");
    }
    try (ShardedKvStore s = open(T0 + 60_000)) {
      assertThat(s.get("short")).isNull();
      assertThat(s.get("extended")).isEqualTo("v");
      assertThat(s.ttl("extended").expireAt()).isEqualTo(Instant.ofEpochMilli(T0 + 3_600_000));
      assertThat(s.ttl("long").expireAt()).isEqualTo(Instant.ofEpochMilli(T0 + 7_200_000));
      assertThat(s.size()).isEqualTo(3);
      assertThat(s.keysWithExpiry()).isEqualTo(2);
      lastLsn = s.lastLsn();
    }
    List<WalRecord> log = read(lastLsn);
    WalRecord last = log.get(log.size() - 1);
    assertThat(last.type()).isEqualTo(RecordType.DELETE);
    assertThat(new String(last.key(), UTF_8)).isEqualTo("short");
  }

  @Test
  void aSnapshotLeavesExpiredKeysOutAndKeepsExpiryTimes() throws Exception {
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.ALWAYS).build();
    try (ShardedKvStore s =
        (ShardedKvStore) KvStore.builder().shards(4).clock(at(T0)).wal(wal).build()) {
      for (int i = 0; i < 100; i++) {
        s.put(b("k" + i), b("v"), Duration.ofSeconds(i < 50 ? 1 : 1000));
      }
    }
    // Reopen later without the expirer having run (a fixed clock, the purge is what runs) and
    // snapshot.
    SegmentedWal wal2 = WalDirs.wal(dir, FsyncPolicy.ALWAYS).build();
    try (ShardedKvStore s =
        (ShardedKvStore) KvStore.builder().shards(4).clock(at(T0 + 5000)).wal(wal2).build()) {
      assertThat(s.size()).isEqualTo(50);
      wal2.snapshot().join();
    }
    try (ShardedKvStore s = open(T0 + 5000)) {
      assertThat(s.recoveryReport().snapshotEntries()).isEqualTo(50);
      assertThat(s.ttl("k70").expireAt()).isEqualTo(Instant.ofEpochMilli(T0 + 1_000_000));
      assertThat(s.get("k10")).isNull();
    }
  }

  @Test
  void theLogReportsFsyncTimesGroupSizesFilesAndSnapshots() throws Exception {
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.ALWAYS).build();
    try (KvStore s = KvStore.builder().wal(wal).build()) {
      for (int i = 0; i < 50; i++) {
        s.put("k" + i, "v");
      }
      wal.snapshot().join();
      io.kvdb.core.spi.LogStats st = s.stats().log();
      assertThat(st.lastLsn()).isEqualTo(50);
      assertThat(st.fsyncs()).isPositive();
      assertThat(st.fsyncP99Micros()).isGreaterThanOrEqualTo(st.fsyncP50Micros()).isPositive();
      assertThat(st.groupP50Records()).isPositive();
      assertThat(st.groups()).isEqualTo(wal.groupSizeHistogram().getTotalCount());
      assertThat(st.segments()).isPositive();
      assertThat(st.diskBytes()).isPositive();
      assertThat(st.snapshots()).isEqualTo(1);
      assertThat(st.lastSnapshotLsn()).isEqualTo(50);
      assertThat(st.lastSnapshotMillis()).isPositive();
      assertThat(st.failure()).isNull();
    }
  }

  private List<WalRecord> read(long upTo) throws Exception {
    List<WalRecord> out = new ArrayList<>();
    SegmentedWal wal = WalDirs.wal(dir, FsyncPolicy.ALWAYS).build();
    try (KvStore s = KvStore.builder().wal(wal).clock(at(T0)).removeExpiredKeys(false).build();
        LogCursor c = wal.openCursor(1)) {
      for (WalRecord r = c.next(); r != null; r = c.next()) {
        out.add(r);
      }
    }
    assertThat(out).hasSize((int) upTo);
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}
