package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.spi.BatchCodec;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.testing.RecordingWal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every multi-key write reaches the log as one record: one LSN, applied whole on recovery. */
class MultiKeyLogTest {

  @Test
  void putAllIsOneBatchRecordHoldingEveryPairInOrder() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().shards(16).wal(wal).build()) {
      List<byte[]> kv = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        kv.add(b("k" + i));
        kv.add(b("v" + i));
      }
      kv.add(b("k0"));
      kv.add(b("last")); // the same key twice: the later pair wins, as in Redis' MSET
      store.putAllAsync(kv).join();
      assertThat(wal.records()).hasSize(1);
      WalRecord r = wal.records().get(0);
      assertThat(r.type()).isEqualTo(RecordType.BATCH);
      assertThat(r.lsn()).isEqualTo(1);
      List<Mutation> ms = r.mutations();
      assertThat(ms).hasSize(51);
      assertThat(ms.get(7)).isEqualTo(Mutation.put(b("k7"), b("v7")));
      assertThat(store.get("k0")).isEqualTo("last");
    }
  }

  @Test
  void aSinglePairOrKeyIsAPlainRecord() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      store.putAllAsync(List.of(b("a"), b("1"))).join();
      assertThat(store.deleteAllAsync(List.of(b("a"), b("missing"))).join()).isEqualTo(1);
      assertThat(wal.records())
          .extracting(WalRecord::type)
          .containsExactly(RecordType.PUT, RecordType.DELETE);
    }
  }

  @Test
  void deleteAllLogsTheKeysThatExistedOnceEachAsOneRecord() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      store.putAllAsync(List.of(b("a"), b("1"), b("b"), b("2"), b("c"), b("3"))).join();
      int removed = store.deleteAllAsync(List.of(b("a"), b("x"), b("c"), b("a"))).join();
      assertThat(removed).isEqualTo(2); // DEL a x c a: two keys existed
      assertThat(store.deleteAllAsync(List.of(b("x"), b("y"))).join()).isZero();
      assertThat(wal.records()).hasSize(2); // nothing logged for the second DEL
      assertThat(wal.records().get(1).mutations())
          .containsExactly(Mutation.delete(b("a")), Mutation.delete(b("c")));
      assertThat(store.get("b")).isEqualTo("2");
    }
  }

  @Test
  void recoveryAndReplicasApplyABatchWhole() {
    List<Mutation> batch =
        List.of(
            Mutation.put(b("x"), b("1")),
            Mutation.clear(),
            Mutation.put(b("y"), b("2")),
            Mutation.put(b("z"), b("3")),
            Mutation.delete(b("z")));
    RecordingWal wal =
        new RecordingWal(
            true, List.of(WalRecord.put(1, b("w"), b("0")), WalRecord.batch(2, batch)));
    try (KvStore store = KvStore.builder().wal(wal).build()) {
      assertThat(store.get("w")).isNull(); // cleared by the batch
      assertThat(store.get("x")).isNull();
      assertThat(store.get("y")).isEqualTo("2");
      assertThat(store.get("z")).isNull();
      store.applyReplicated(WalRecord.batch(3, List.of(Mutation.put(b("r"), b("9"))))).join();
      assertThat(store.get("r")).isEqualTo("9");
      assertThat(store.lastLsn()).isEqualTo(3);
    }
  }

  @Test
  void batchCodecRoundTripsAndRefusesMalformedBytes() {
    List<Mutation> ms =
        List.of(
            Mutation.put(new byte[0], new byte[0]),
            Mutation.put(b("k"), new byte[] {0, (byte) 0xff, '\r', '\n'}),
            Mutation.delete(b("d")),
            new Mutation(RecordType.PUT, b("t"), b("v"), 1_700_000_000_000L));
    byte[] enc = BatchCodec.encode(ms);
    assertThat(enc).hasSize((int) BatchCodec.encodedSize(ms));
    assertThat(BatchCodec.decode(enc)).isEqualTo(ms);
    for (int cut = 0; cut < enc.length; cut++) {
      byte[] shorter = java.util.Arrays.copyOf(enc, cut);
      assertThatThrownBy(() -> BatchCodec.decode(shorter))
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] nested = enc.clone();
    nested[4] = RecordType.BATCH.code();
    assertThatThrownBy(() -> BatchCodec.decode(nested)).hasMessageContaining("mutation 0");
    assertThatThrownBy(() -> BatchCodec.encode(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}
