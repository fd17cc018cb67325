package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.DurabilityException;
import io.kvdb.core.KvStore;
import io.kvdb.wal.internal.ActiveSegment;
import io.kvdb.wal.internal.GroupCommitter;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed write is final for the log: the affected write and every later one fail, nothing is
 * retried, reads go on, and the failure is reported. The I/O error is real: the test closes the
 * segment's channel underneath the writer, so its next write throws ClosedChannelException.
 */
class WriteFailureTest {
  @TempDir Path dir;

  @Test
  void aFailedWriteFailsTheLogButReadsGoOn() throws Exception {
    SegmentedWal wal = SegmentedWal.builder().directory(dir).fsync(FsyncPolicy.ALWAYS).build();
    KvStore store = KvStore.builder().wal(wal).build();
    store.put("before", "ok");

    channelOf(wal).close(); // the disk "goes away"

    CompletableFuture<Void> failed = store.putAsync(bytes("lost"), bytes("x"));
    assertThat(failed).failsWithin(java.time.Duration.ofSeconds(10));
    assertThatThrownBy(() -> store.put("after", "y"))
        .satisfiesAnyOf(
            e ->
                assertThat(e)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has failed"),
            e -> assertThat(e).isInstanceOf(DurabilityException.class));
    assertThatThrownBy(() -> store.put("later", "z"))
        .isInstanceOf(io.kvdb.core.spi.LogFailedException.class)
        .hasMessageContaining("has failed and accepts no writes");
    assertThat(wal.failure()).isNotNull();
    assertThat(store.get("before")).isEqualTo("ok"); // reads go on
    assertThat(store.get("later")).isNull(); // the refused write was never applied
    // "lost" may be in memory (applied before its append failed), but its caller was told it
    // failed: no read shows it (replication issue, item 8).
    assertThat(wal.lostWriteOf(bytes("lost"))).isTrue();
    assertThatThrownBy(() -> store.get("lost"))
        .isInstanceOf(DurabilityException.class)
        .hasMessageContaining("not made durable");
    assertThatThrownBy(() -> store.getAll(java.util.List.of(bytes("before"), bytes("lost"))))
        .isInstanceOf(DurabilityException.class);
    assertThatThrownBy(() -> store.ttl(bytes("lost"))).isInstanceOf(DurabilityException.class);
    assertThatThrownBy(store::close)
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("had failed");

    // Only what was acknowledged is on disk.
    try (KvStore reopened =
        KvStore.builder().wal(SegmentedWal.builder().directory(dir).build()).build()) {
      assertThat(reopened.get("before")).isEqualTo("ok");
      assertThat(reopened.get("later")).isNull();
      // The writes that failed are not there either: the failed group never reached the file.
      assertThat(reopened.get("lost")).isNull();
      assertThat(reopened.get("after")).isNull();
    }
  }

  private static FileChannel channelOf(SegmentedWal wal) throws Exception {
    GroupCommitter committer = (GroupCommitter) field(SegmentedWal.class, "committer").get(wal);
    Object files = field(GroupCommitter.class, "files").get(committer);
    ActiveSegment segment = (ActiveSegment) field(files.getClass(), "segment").get(files);
    return (FileChannel) field(ActiveSegment.class, "ch").get(segment);
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
