package io.kvdb.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Edge cases of the public API on an in-memory store. */
class KvStoreApiTest {
  private final KvStore store = KvStore.inMemory();

  @AfterEach
  void close() {
    store.close();
  }

  /** get into a caller's buffer: copies when it fits, says the length either way, -1 if absent. */
  @Test
  void getIntoACallersBufferCopiesOnlyWhatFits() {
    try (KvStore store = KvStore.inMemory()) {
      store.put("k", "hello");
      ByteBuffer big = ByteBuffer.allocate(16);
      big.put((byte) '>');
      assertThat(store.get("k".getBytes(UTF_8), big)).isEqualTo(5);
      assertThat(big.position()).isEqualTo(6);
      assertThat(new String(big.array(), 0, 6, UTF_8)).isEqualTo(">hello");
      ByteBuffer small = ByteBuffer.allocate(4);
      assertThat(store.get("k".getBytes(UTF_8), small)).isEqualTo(5);
      assertThat(small.position()).isZero();
      assertThat(store.get("absent".getBytes(UTF_8), big)).isEqualTo(-1);
      assertThat(big.position()).isEqualTo(6);
      ByteBuffer direct = ByteBuffer.allocateDirect(8);
      assertThat(store.get("k".getBytes(UTF_8), direct)).isEqualTo(5);
      assertThat(direct.flip().get(new byte[5]).position()).isEqualTo(5);
      assertThatThrownBy(() -> store.get("k".getBytes(UTF_8), big.asReadOnlyBuffer()))
          .isInstanceOf(ReadOnlyBufferException.class);
    }
  }

  @Test
  void absentKeyReadsAsNull() {
    assertThat(store.get(new byte[] {1})).isNull();
    assertThat(store.get("missing")).isNull();
  }

  @Test
  void putThenGetAndOverwrite() {
    store.put("k", "v1");
    assertThat(store.get("k")).isEqualTo("v1");
    store.put("k", "v2");
    assertThat(store.get("k")).isEqualTo("v2");
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void emptyKeyAndEmptyValueAreValid() {
    store.put(new byte[0], new byte[0]);
    assertThat(store.get(new byte[0])).isEmpty();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.delete(new byte[0])).isTrue();
    assertThat(store.get(new byte[0])).isNull();
  }

  @Test
  void binaryKeysAndValuesRoundTrip() {
    byte[] key = {0, -1, 10, 13, 0, 127, -128};
    byte[] value = {0, 0, 0, -2, 13, 10};
    store.put(key, value);
    assertThat(store.get(key)).containsExactly(value);
    assertThat(store.get(new byte[] {0, -1, 10, 13, 0, 127})).isNull();
  }

  @Test
  void storeNeverSharesArraysWithCaller() {
    byte[] key = "key".getBytes(UTF_8);
    byte[] value = "value".getBytes(UTF_8);
    store.put(key, value);
    value[0] = 'X';
    key[0] = 'X';
    assertThat(store.get("key")).isEqualTo("value");
    byte[] read = store.get("key".getBytes(UTF_8));
    read[0] = 'Y';
    assertThat(store.get("key")).isEqualTo("value");
  }

  @Test
  void nullsAreRejectedNamingTheArgument() {
    assertThatThrownBy(() -> store.get((byte[]) null)).hasMessageContaining("key");
    assertThatThrownBy(() -> store.put(null, new byte[0]))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> store.put(new byte[0], null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
    assertThatThrownBy(() -> store.put("k", null)).hasMessageContaining("value");
    assertThatThrownBy(() -> store.delete((String) null)).hasMessageContaining("key");
    assertThatThrownBy(() -> store.putAsync(null, new byte[0])).hasMessageContaining("key");
    assertThat(store.size()).isZero();
  }

  @Test
  void deleteReportsWhetherAKeyWasRemoved() {
    assertThat(store.delete("k")).isFalse();
    store.put("k", "v");
    assertThat(store.delete("k")).isTrue();
    assertThat(store.delete("k")).isFalse();
    assertThat(store.deleteAsync("k".getBytes(UTF_8)).join()).isFalse();
  }

  @Test
  void asyncWritesCompleteWithoutAWal() {
    assertThat(store.putAsync(b("a"), b("1"))).isCompleted();
    assertThat(store.deleteAsync(b("a")).join()).isTrue();
  }

  @Test
  void useAfterCloseThrowsAndCloseIsIdempotent() {
    store.put("k", "v");
    store.close();
    store.close();
    assertThatThrownBy(() -> store.get("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> store.put("k", "v")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.delete("k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(store::size).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.scan(0, 10)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void limitsRejectOversizeKeysAndValuesNamingTheLimit() {
    try (KvStore small = KvStore.builder().maxKeySize(4).maxValueSize(8).build()) {
      assertThatThrownBy(() -> small.put(new byte[5], new byte[1]))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("maxKeySize")
          .hasMessageContaining("5 bytes > 4 bytes");
      assertThatThrownBy(() -> small.put(new byte[1], new byte[9]))
          .hasMessageContaining("maxValueSize");
      small.put(new byte[4], new byte[8]);
      assertThat(small.size()).isEqualTo(1);
    }
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> KvStore.builder().shards(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shards")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> KvStore.builder().shards(0)).hasMessageContaining("0");
    assertThatThrownBy(() -> KvStore.builder().shards(1 << 17)).hasMessageContaining("131072");
    assertThatThrownBy(() -> KvStore.builder().maxKeySize(0)).hasMessageContaining("maxKeySize");
    assertThatThrownBy(() -> KvStore.builder().wal(null)).hasMessageContaining("wal");
  }

  @Test
  void defaultShardCountIsAPowerOfTwo() {
    int shards = KvStore.builder().shards();
    assertThat(Integer.bitCount(shards)).isEqualTo(1);
    // The promise: the smallest power of two >= 4 x CPUs.
    int fourTimes = 4 * Runtime.getRuntime().availableProcessors();
    int expected =
        Integer.bitCount(fourTimes) == 1 ? fourTimes : Integer.highestOneBit(fourTimes) << 1;
    assertThat(shards).isEqualTo(expected);
  }

  @Test
  void computeAppliesTheDecisionAtomically() {
    KeyFunction<Long> incr =
        current -> {
          long n = current == null ? 0 : Long.parseLong(new String(current, UTF_8));
          return KeyFunction.Decision.put(Long.toString(n + 1).getBytes(UTF_8), n + 1);
        };
    assertThat(store.compute(b("c"), incr).join()).isEqualTo(1L);
    assertThat(store.compute(b("c"), incr).join()).isEqualTo(2L);
    assertThat(store.get("c")).isEqualTo("2");
    assertThat(store.compute(b("c"), cur -> KeyFunction.Decision.delete("gone")).join())
        .isEqualTo("gone");
    assertThat(store.get("c")).isNull();
  }

  @Test
  void computeThatThrowsChangesNothing() {
    store.put("c", "x");
    assertThatThrownBy(
            () ->
                store.compute(
                    b("c"),
                    cur -> {
                      throw new NumberFormatException("not a number");
                    }))
        .isInstanceOf(NumberFormatException.class);
    assertThat(store.get("c")).isEqualTo("x");
  }

  @Test
  void multiKeyWritesAndClear() {
    store.putAllAsync(List.of(b("a"), b("1"), b("b"), b("2"), b("a"), b("3"))).join();
    assertThat(store.get("a")).isEqualTo("3");
    assertThat(store.get("b")).isEqualTo("2");
    assertThat(store.deleteAllAsync(List.of(b("a"), b("zz"), b("b"))).join()).isEqualTo(2);
    store.put("x", "y");
    store.clearAsync().join();
    assertThat(store.size()).isZero();
    assertThat(store.get("x")).isNull();
    assertThatThrownBy(() -> store.putAllAsync(List.of(b("odd")))).hasMessageContaining("pairs");
  }

  @Test
  void scanVisitsEveryKeyAndEndsAtZero() {
    try (KvStore s = KvStore.builder().shards(4).build()) {
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        s.put("key" + i, "v");
        expected.add("key" + i);
      }
      Set<String> seen = new HashSet<>();
      List<Long> cursors = new ArrayList<>();
      long cursor = 0;
      do {
        ScanPage page = s.scan(cursor, 37);
        page.keys().forEach(k -> seen.add(new String(k, UTF_8)));
        cursor = page.cursor();
        cursors.add(cursor);
      } while (cursor != 0);
      assertThat(seen).isEqualTo(expected);
      assertThat(cursors.size()).isGreaterThan(10);
    }
  }

  @Test
  void scanRejectsCursorsItNeverIssued() {
    assertThatThrownBy(() -> store.scan(-1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.scan(Long.MAX_VALUE, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}
