package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.testing.ManualClock;
import io.kvdb.core.testing.RecordingWal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Key expiry in the engine, against a clock the test moves: exact to the millisecond. */
@Timeout(30)
class ExpiryTest {
  private static final long T0 = 1_700_000_000_000L;

  private final ManualClock clock = new ManualClock(T0);

  private ShardedKvStore store(RecordingWal wal) {
    KvStoreBuilder b = KvStore.builder().shards(4).clock(clock);
    return (ShardedKvStore) (wal == null ? b.build() : b.wal(wal).build());
  }

  /**
   * A read of a shard that holds no key with a TTL does not read the clock (nothing there can have
   * expired); once a key in it has a TTL, reads see the clock again and its expiry to the ms.
   */
  @Test
  void readsOfKeysWithoutATtlTakeNoClockRead() {
    try (KvStore store = KvStore.builder().shards(1).clock(clock).build()) {
      store.put("plain", "v");
      long before = clock.reads();
      for (int i = 0; i < 100; i++) {
        assertThat(store.get("plain")).isEqualTo("v");
      }
      assertThat(clock.reads()).isEqualTo(before);
      store.put("ttl".getBytes(UTF_8), "x".getBytes(UTF_8), Duration.ofMillis(50));
      assertThat(store.get("ttl".getBytes(UTF_8), ByteBuffer.allocate(8))).isEqualTo(1);
      clock.advance(51);
      assertThat(store.get("ttl")).isNull();
      assertThat(store.get("ttl".getBytes(UTF_8), ByteBuffer.allocate(8))).isEqualTo(-1);
      assertThat(store.get("plain")).isEqualTo("v");
      assertThat(clock.reads()).isGreaterThan(before);
    }
  }

  @Test
  void aKeyIsThereUntilItsExpiryMillisecondAndGoneOneMillisecondLater() {
    try (ShardedKvStore s = store(null)) {
      s.put(b("k"), b("v"), Duration.ofMillis(100));
      clock.advance(100); // now == expireAt: Redis still serves it (expired means now > expireAt)
      assertThat(s.get("k")).isEqualTo("v");
      assertThat(s.ttl("k").redisMillis()).isZero();
      assertThat(s.size()).isEqualTo(1);
      clock.advance(1);
      assertThat(s.get("k")).isNull();
      assertThat(s.getAll(List.of(b("k")))).containsExactly((byte[]) null);
      assertThat(s.ttl("k").exists()).isFalse();
      assertThat(s.ttl("k").redisMillis()).isEqualTo(-2);
      assertThat(s.size()).isZero();
      assertThat(s.scan(0, 100).keys()).isEmpty();
      assertThat(s.randomKey()).isNull();
    }
  }

  @Test
  void sizeScanAndRandomKeyCountOnlyLiveKeys() {
    try (ShardedKvStore s = store(null)) {
      for (int i = 0; i < 1000; i++) {
        if (i % 2 == 0) {
          s.put(b("k" + i), b("v"), Duration.ofSeconds(10));
        } else {
          s.put(b("k" + i), b("v"));
        }
      }
      assertThat(s.size()).isEqualTo(1000);
      assertThat(s.keysWithExpiry()).isEqualTo(500);
      clock.advance(10_001);
      assertThat(s.size()).isEqualTo(500);
      Set<String> seen = new HashSet<>();
      long cursor = 0;
      do {
        ScanPage p = s.scan(cursor, 64);
        p.keys().forEach(k -> seen.add(new String(k, UTF_8)));
        cursor = p.cursor();
      } while (cursor != 0);
      assertThat(seen).hasSize(500).allMatch(k -> Integer.parseInt(k.substring(1)) % 2 == 1);
      for (int i = 0; i < 50; i++) {
        String k = new String(s.randomKey(), UTF_8);
        assertThat(Integer.parseInt(k.substring(1)) % 2).isEqualTo(1);
      }
    }
  }

  @Test
  void conditionsFollowRedisAndAPastExpiryRemovesTheKey() {
    try (ShardedKvStore s = store(null)) {
      s.put("k", "v");
      assertThat(s.expire(b("k"), Duration.ofSeconds(10), ExpireCondition.XX)).isFalse();
      assertThat(s.expire(b("k"), Duration.ofSeconds(10), ExpireCondition.GT)).isFalse();
      assertThat(s.expire(b("k"), Duration.ofSeconds(10), ExpireCondition.LT)).isTrue();
      assertThat(s.ttl("k").remaining()).isEqualTo(Duration.ofSeconds(10));
      assertThat(s.expire(b("k"), Duration.ofSeconds(20), ExpireCondition.NX)).isFalse();
      assertThat(s.expire(b("k"), Duration.ofSeconds(5), ExpireCondition.GT)).isFalse();
      assertThat(s.expire(b("k"), Duration.ofSeconds(20), ExpireCondition.GT)).isTrue();
      assertThat(s.expire(b("k"), Duration.ofSeconds(30), ExpireCondition.LT)).isFalse();
      assertThat(s.ttl("k").expireAt()).isEqualTo(Instant.ofEpochMilli(T0 + 20_000));
      assertThat(s.persist(b("k"))).isTrue();
      assertThat(s.persist(b("k"))).isFalse();
      assertThat(s.ttl("k").expires()).isFalse();
      assertThat(s.ttl("k").redisMillis()).isEqualTo(-1);
      assertThat(s.expire(b("absent"), Duration.ofSeconds(1))).isFalse();
      assertThat(s.expireAt(b("k"), Instant.ofEpochMilli(T0 - 1))).isTrue();
      assertThat(s.get("k")).isNull();
      assertThat(s.keysWithExpiry()).isZero();
    }
  }

  @Test
  void writesKeepOrClearTheTtlAsTheyDecide() {
    try (ShardedKvStore s = store(null)) {
      s.put(b("k"), b("1"), Duration.ofSeconds(10));
      s.computeEntry(b("k"), (v, x) -> Decision.put(b("2"), Decision.KEEP_TTL, null)).join();
      assertThat(s.ttl("k").expireAt()).isEqualTo(Instant.ofEpochMilli(T0 + 10_000));
      s.compute(b("k"), v -> Decision.put(b("3"), null)).join(); // a plain PUT clears it, as SET
      assertThat(s.ttl("k").expires()).isFalse();
      s.put(b("k"), b("4"), Duration.ofSeconds(1));
      s.put("k", "5");
      assertThat(s.ttl("k").expires()).isFalse();
      // An expired key is absent to the next writer; KEEP_TTL then keeps nothing.
      s.put(b("e"), b("old"), Duration.ofMillis(1));
      clock.advance(2);
      Object[] seen = new Object[2];
      s.computeEntry(
              b("e"),
              (v, x) -> {
                seen[0] = v;
                seen[1] = x;
                return Decision.put(b("new"), Decision.KEEP_TTL, null);
              })
          .join();
      assertThat(seen).containsExactly(null, 0L);
      assertThat(s.get("e")).isEqualTo("new");
      assertThat(s.ttl("e").expires()).isFalse();
    }
  }

  @Test
  void expiryIsAbsoluteInTheLogAndATtlChangeLogsNoValue() {
    RecordingWal wal = new RecordingWal(true);
    try (ShardedKvStore s = store(wal)) {
      s.put(b("k"), b("value"), Duration.ofSeconds(60));
      s.expire(b("k"), Duration.ofSeconds(120));
      s.persist(b("k"));
      assertThat(wal.records())
          .containsExactly(
              new WalRecord(1, RecordType.PUT, b("k"), b("value"), T0 + 60_000),
              new WalRecord(2, RecordType.EXPIRE, b("k"), new byte[0], T0 + 120_000),
              new WalRecord(3, RecordType.EXPIRE, b("k"), new byte[0], 0));
    }
  }

  @Test
  void recoveryAppliesRecordsVerbatimThenDropsWhatExpiredWithALoggedDelete() {
    // PUT with an expiry long past, then an EXPIRE that extended it: the key must survive.
    List<WalRecord> log =
        List.of(
            new WalRecord(1, RecordType.PUT, b("kept"), b("v"), T0 - 10_000),
            new WalRecord(2, RecordType.EXPIRE, b("kept"), new byte[0], T0 + 10_000),
            new WalRecord(3, RecordType.PUT, b("gone"), b("v"), T0 - 1),
            WalRecord.put(4, b("plain"), b("v")));
    RecordingWal wal = new RecordingWal(true, log);
    try (ShardedKvStore s = store(wal)) {
      assertThat(s.get("kept")).isEqualTo("v");
      assertThat(s.get("gone")).isNull();
      assertThat(s.size()).isEqualTo(2);
      assertThat(s.keysWithExpiry()).isEqualTo(1); // "gone" no longer takes memory
      assertThat(wal.records().subList(4, wal.records().size()))
          .containsExactly(new WalRecord(5, RecordType.DELETE, b("gone"), new byte[0], 0));
    }
  }

  @Test
  void aReadThatMeetsAnExpiredKeyFreesItAtOnceWithALoggedDelete() {
    RecordingWal wal = new RecordingWal(true);
    try (ShardedKvStore s = store(wal)) {
      s.put(b("k"), b("v"), Duration.ofMillis(5));
      clock.advance(6);
      // Whatever removes it (this read, or the expirer if it ran in between), once the read has
      // returned the key takes no memory and its removal is in the log.
      assertThat(s.get("k")).isNull();
      assertThat(s.keysWithExpiry()).isZero();
      assertThat(s.expiredKeys()).isEqualTo(1);
      assertThat(wal.records().get(wal.records().size() - 1).type())
          .isIn(RecordType.DELETE, RecordType.BATCH);
    }
  }

  @Test
  void theExpirerReclaimsInChunksAndLogsEachRemoval() {
    RecordingWal wal = new RecordingWal(true);
    try (ShardedKvStore s = store(wal)) {
      List<byte[]> all = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        s.put(b("k" + i), b("v"), Duration.ofSeconds(1));
        all.add(b("k" + i));
      }
      s.put("stay", "v");
      clock.advance(1001);
      await().atMost(Duration.ofSeconds(20)).until(() -> s.keysWithExpiry() == 0);
      assertThat(s.expiredKeys()).isEqualTo(5000);
      assertThat(s.get("stay")).isEqualTo("v");
      Set<String> deleted = new HashSet<>();
      for (WalRecord r : wal.records()) {
        if (r.type() == RecordType.DELETE || r.type() == RecordType.BATCH) {
          for (Mutation m : r.mutations()) {
            assertThat(m.type()).isEqualTo(RecordType.DELETE);
            deleted.add(new String(m.key(), UTF_8));
          }
        }
      }
      assertThat(deleted).hasSize(5000);
      assertThat(s.usedMemory()).isLessThan(1000);
    }
  }

  @Test
  void aStoreThatDoesNotRemoveExpiredKeysHidesThemButKeepsThemAndLogsNothing() {
    RecordingWal wal = new RecordingWal(true);
    try (ShardedKvStore s = store(wal)) {
      s.removeExpiredKeys(false);
      s.applyReplicated(new WalRecord(1, RecordType.PUT, b("k"), b("v"), T0 + 5)).join();
      clock.advance(10);
      assertThat(s.get("k")).isNull();
      assertThat(s.size()).isZero();
      assertThat(s.deleteAsync(b("k")).join()).isFalse();
      s.atomically(List.of(b("k")), v -> v.get(b("k"))).join();
      assertThat(s.keysWithExpiry()).isEqualTo(1);
      // The master extends it: the replica serves it again.
      s.applyReplicated(new WalRecord(2, RecordType.EXPIRE, b("k"), new byte[0], T0 + 60_000))
          .join();
      assertThat(s.get("k")).isEqualTo("v");
      assertThat(wal.records()).hasSize(2);
    }
  }

  @Test
  void statsReportKeysExpiryMemoryAndTheLog() {
    RecordingWal wal = new RecordingWal(true);
    try (ShardedKvStore s = store(wal)) {
      s.put("a", "1");
      s.put(b("b"), b("2"), Duration.ofMillis(10));
      StoreStats st = s.stats();
      assertThat(st.keys()).isEqualTo(2);
      assertThat(st.keysWithExpiry()).isEqualTo(1);
      assertThat(st.usedMemoryBytes()).isEqualTo(s.usedMemory()).isPositive();
      assertThat(st.shards()).isEqualTo(4);
      assertThat(st.log().lastLsn()).isEqualTo(2);
      clock.advance(11);
      assertThat(s.get("b")).isNull();
      assertThat(s.stats().expiredKeys()).isEqualTo(1);
      assertThat(s.stats().keys()).isEqualTo(1);
    }
    try (KvStore m = KvStore.inMemory()) {
      assertThat(m.stats().log()).isNull();
    }
  }

  @Test
  void aTtlCostsExactlyEightBytesAndNoTtlCostsNothing() {
    try (ShardedKvStore plain = store(null);
        ShardedKvStore ttl = store(null)) {
      for (int i = 0; i < 1000; i++) {
        plain.put(b("key" + i), b("value-of-sixteen"));
        ttl.put(b("key" + i), b("value-of-sixteen"), Duration.ofHours(1));
      }
      // Entries are 8-byte aligned: an 8-byte expiry adds exactly 8 bytes per key.
      assertThat(ttl.usedMemory() - plain.usedMemory()).isEqualTo(8 * 1000);
    }
  }

  @Test
  void atomicallyIsOneRecordAndUndoneWholeWhenItsWorkThrows() {
    RecordingWal wal = new RecordingWal(true);
    try (ShardedKvStore s = store(wal)) {
      s.put("a", "1");
      List<byte[]> keys = List.of(b("a"), b("b"), b("c"));
      String r =
          s.atomically(
                  keys,
                  v -> {
                    v.put(b("b"), b("2"));
                    v.delete(b("a"));
                    v.putAsync(b("c"), b("3"), T0 + 5000);
                    return new String(v.get(b("b")), UTF_8);
                  })
              .join();
      assertThat(r).isEqualTo("2");
      assertThat(wal.records()).hasSize(2);
      assertThat(wal.records().get(1).mutations())
          .containsExactly(
              Mutation.put(b("b"), b("2")),
              Mutation.delete(b("a")),
              Mutation.put(b("c"), b("3"), T0 + 5000));
      try {
        s.atomically(
            keys,
            v -> {
              v.put(b("a"), b("x"));
              v.delete(b("b"));
              v.expire(b("c"), Duration.ofSeconds(99));
              throw new IllegalStateException("boom");
            });
      } catch (IllegalStateException expected) {
        assertThat(expected).hasMessage("boom");
      }
      assertThat(s.get("a")).isNull();
      assertThat(s.get("b")).isEqualTo("2");
      assertThat(s.ttl("c").expireAt()).isEqualTo(Instant.ofEpochMilli(T0 + 5000));
      assertThat(wal.records()).hasSize(2);

      // One key written twice, then a failure: undone newest first, back to what it was before
      // (undone oldest first it would end at the first write's value).
      try {
        s.atomically(
            keys,
            v -> {
              v.put(b("b"), b("first"));
              v.put(b("b"), b("second"));
              v.delete(b("b"));
              v.put(b("b"), b("third"));
              throw new IllegalStateException("boom again");
            });
      } catch (IllegalStateException expected) {
        assertThat(expected).hasMessage("boom again");
      }
      assertThat(s.get("b")).isEqualTo("2");
      assertThat(wal.records()).hasSize(2);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}
