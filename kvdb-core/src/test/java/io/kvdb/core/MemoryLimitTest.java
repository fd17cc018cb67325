package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.core.testing.RecordingWal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The memory limit refuses growth with an exception naming it, logs nothing, and lets deletes
 * through.
 */
class MemoryLimitTest {

  @Test
  void writesThatWouldGrowPastTheLimitAreRefusedAndNotLogged() {
    RecordingWal wal = new RecordingWal(true);
    try (KvStore store = KvStore.builder().maxMemory(16 * 1024).wal(wal).build()) {
      int stored = 0;
      LimitExceededException refused = null;
      for (int i = 0; i < 1000 && refused == null; i++) {
        try {
          store.put(("key" + i).getBytes(UTF_8), new byte[200]);
          stored++;
        } catch (LimitExceededException e) {
          refused = e;
        }
      }
      assertThat(refused).isNotNull();
      assertThat(refused.limit()).isEqualTo("maxMemory");
      assertThat(refused).hasMessageContaining("maxMemory exceeded");
      assertThat(stored).isBetween(40, 80); // ~240 bytes per entry in 16 KiB
      assertThat(wal.records()).hasSize(stored); // the refused write was never logged
      assertThat(((ShardedKvStore) store).usedMemory()).isLessThanOrEqualTo(16 * 1024);

      // Same-size overwrites do not grow; deletes always work and make room again.
      store.put("key0".getBytes(UTF_8), new byte[200]);
      assertThatThrownBy(() -> store.put("key0".getBytes(UTF_8), new byte[5000]))
          .isInstanceOf(LimitExceededException.class);
      assertThatThrownBy(() -> store.putAllAsync(List.of("x".getBytes(UTF_8), new byte[5000])))
          .hasMessageContaining("maxMemory");
      assertThat(store.delete("key1")).isTrue();
      assertThat(store.delete("key2")).isTrue();
      store.put("fits", "again");
      assertThat(store.get("fits")).isEqualTo("again");
    }
  }

  @Test
  void usageFollowsPutsDeletesAndClear() {
    try (KvStore store = KvStore.builder().maxMemory(1 << 20).build()) {
      ShardedKvStore s = (ShardedKvStore) store;
      assertThat(s.usedMemory()).isZero();
      store.put("a", "x".repeat(100));
      long one = s.usedMemory();
      assertThat(one).isBetween(100L, 200L);
      store.put("a", "y".repeat(100)); // in place: no change
      assertThat(s.usedMemory()).isEqualTo(one);
      store.put("a", "z".repeat(1000));
      assertThat(s.usedMemory()).isGreaterThan(1000L);
      store.delete("a");
      assertThat(s.usedMemory()).isZero();
      store.put("b", "1");
      store.clearAsync().join();
      assertThat(s.usedMemory()).isZero();
    }
  }
}
