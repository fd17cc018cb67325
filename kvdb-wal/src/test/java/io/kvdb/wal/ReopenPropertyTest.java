package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.wal.testing.WalDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of puts, deletes, clears, snapshots and reopens, on small segments: after every
 * reopen the store equals a model map.
 */
class ReopenPropertyTest {

  record Op(int kind, String key, String value) {}

  @Provide
  Arbitrary<Op> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 19),
            Arbitraries.strings().alpha().ofMaxLength(2),
            Arbitraries.strings().ofMaxLength(60))
        .as(Op::new);
  }

  @Property(tries = 40)
  void reopenAlwaysRestoresTheModel(@ForAll @Size(max = 300) List<@From("ops") Op> ops)
      throws Exception {
    Path dir = Files.createTempDirectory("kvdb-prop");
    Map<String, String> model = new TreeMap<>();
    SegmentedWalBuilder builder =
        SegmentedWal.builder()
            .directory(dir)
            .fsync(FsyncPolicy.NEVER)
            .segmentSize(4096)
            .snapshotThreshold(0);
    try {
      SegmentedWal wal = builder.build();
      KvStore store = KvStore.builder().shards(2).wal(wal).build();
      for (Op op : ops) {
        switch (op.kind()) {
          case 0 -> {
            store.close();
            wal = builder.build();
            store = KvStore.builder().shards(2).wal(wal).build();
            assertThat(WalDirs.contents(store)).isEqualTo(model);
          }
          case 1 -> wal.snapshot().get();
          case 2 -> {
            store.clearAsync().join();
            model.clear();
          }
          case 3, 4, 5 ->
              assertThat(store.delete(op.key())).isEqualTo(model.remove(op.key()) != null);
          default -> {
            store.put(op.key(), op.value());
            model.put(op.key(), op.value());
          }
        }
      }
      store.close();
      try (KvStore reopened = WalDirs.open(builder)) {
        assertThat(WalDirs.contents(reopened)).isEqualTo(model);
      }
    } finally {
      WalDirs.delete(dir);
    }
  }
}
