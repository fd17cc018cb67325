package io.kvdb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random operation sequences against a HashMap model: every read and the final state agree. */
class ModelPropertyTest {

  /** One random operation. */
  record Op(int kind, byte[] key, byte[] value) {}

  @Provide
  Arbitrary<Op> ops() {
    // Few distinct short keys, so that sequences overwrite, delete and re-add the same keys.
    Arbitrary<byte[]> keys = Arbitraries.bytes().array(byte[].class).ofMaxSize(3);
    Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    return Combinators.combine(Arbitraries.integers().between(0, 5), keys, values).as(Op::new);
  }

  @Property(tries = 300)
  void storeBehavesLikeAMap(
      @ForAll @Size(max = 400) List<@net.jqwik.api.From("ops") Op> ops,
      @ForAll @IntRange(min = 0, max = 4) int shardBits) {
    Map<ByteBuffer, byte[]> model = new HashMap<>();
    try (KvStore store = KvStore.builder().shards(1 << shardBits).build()) {
      for (Op op : ops) {
        ByteBuffer k = ByteBuffer.wrap(op.key().clone());
        switch (op.kind()) {
          case 0, 1 -> {
            store.put(op.key(), op.value());
            model.put(k, op.value().clone());
          }
          case 2 -> assertThat(store.delete(op.key())).isEqualTo(model.remove(k) != null);
          case 3 -> assertThat(store.get(op.key())).isEqualTo(model.get(k));
          case 4 -> {
            store.putAllAsync(List.of(op.key(), op.value(), op.value(), op.key())).join();
            model.put(k, op.value().clone());
            model.put(ByteBuffer.wrap(op.value().clone()), op.key().clone());
          }
          default -> {
            if (op.value().length % 7 == 0) {
              store.clearAsync().join();
              model.clear();
            } else {
              assertThat(store.deleteAllAsync(List.of(op.key())).join())
                  .isEqualTo(model.remove(k) != null ? 1 : 0);
            }
          }
        }
        assertThat(store.size()).isEqualTo(model.size());
      }
      for (Map.Entry<ByteBuffer, byte[]> e : model.entrySet()) {
        assertThat(store.get(e.getKey().array())).isEqualTo(e.getValue());
      }
      assertThat(scanAll(store)).isEqualTo(model.keySet());
    }
  }

  private static Set<ByteBuffer> scanAll(KvStore store) {
    Set<ByteBuffer> keys = new HashSet<>();
    List<Long> guard = new ArrayList<>();
    long cursor = 0;
    do {
      ScanPage page = store.scan(cursor, 5);
      page.keys().forEach(k -> keys.add(ByteBuffer.wrap(k)));
      cursor = page.cursor();
      guard.add(cursor);
      assertThat(guard.size()).isLessThan(100_000);
    } while (cursor != 0);
    return keys;
  }
}
