package io.kvdb.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.replication.testing.Nodes;
import io.kvdb.wal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write either finishes before the role changes or is refused, never in between (replication
 * issue, item 7: a put that passed the read-only check and then waited for log space took its shard
 * lock after REPLICAOF and appended a record of its own to what had become a slave's log).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoleChangeTest {
  @TempDir Path dir;

  private static boolean someThreadIsIn(String method) {
    return Thread.getAllStackTraces().values().stream()
        .flatMap(java.util.Arrays::stream)
        .anyMatch(f -> f.getMethodName().equals(method));
  }

  @Test
  void aWriteWaitingForLogSpaceWhenTheNodeBecomesASlaveIsRefused() throws Exception {
    FullSyncDurabilityTest.GatedDisk disk = new FullSyncDurabilityTest.GatedDisk();
    try (ReplicationNode other = Nodes.master(dir.resolve("b"));
        ReplicationNode node =
            Nodes.master(
                dir.resolve("a"),
                b ->
                    b.wal(
                        w -> w.fsync(FsyncPolicy.ALWAYS).maxPendingBytes(64 << 10).faults(disk)))) {
      node.store().put("before", "1");
      disk.shut();
      byte[] big = new byte[8 << 10];
      for (int i = 0; node.wal().whenWritable().isDone(); i++) {
        node.store().putAsync(("fill" + i).getBytes(), big); // queues behind the stalled fsync
        assertThat(i).as("the log never filled").isLessThan(10_000);
      }
      // This put passes the role check now and waits for room in the log.
      CompletableFuture<Void> late =
          CompletableFuture.runAsync(
              () -> node.store().put("late", "x"), r -> new Thread(r).start());
      await().atMost(Duration.ofSeconds(10)).until(() -> someThreadIsIn("awaitRoom"));
      long lastBefore = node.wal().lastLsn();
      node.replicaOf("127.0.0.1", Nodes.port(other)); // while the put waits
      disk.open();
      Throwable outcome =
          late.handle((v, e) -> e == null ? null : e.getCause()).get(20, TimeUnit.SECONDS);
      assertThat(outcome)
          .as("the late put is refused, not appended to a slave's log")
          .isInstanceOf(ReadOnlyReplicaException.class);
      assertThat(node.store().get("late")).isNull();
      assertThat(node.wal().lastLsn()).isEqualTo(lastBefore);
    }
  }
}
