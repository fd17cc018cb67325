package io.kvdb.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.replication.testing.Nodes;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.WalFaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full sync ends only once its end LSN E is durable on the master (replication issue, item 1: the
 * walk reads memory, which may hold a record whose fsync is stalled; a slave that ended its sync at
 * that record kept it after the master lost it in a crash and re-issued the LSN with other data —
 * both then said "in sync" while holding different values).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FullSyncDurabilityTest {
  @TempDir Path dir;

  /** A disk whose fsync waits at a gate while it is shut (bounded, so a test cannot hang). */
  static final class GatedDisk implements WalFaults {
    private volatile CountDownLatch gate = new CountDownLatch(0);
    final CountDownLatch stalled = new CountDownLatch(1);

    void shut() {
      gate = new CountDownLatch(1);
    }

    void open() {
      gate.countDown();
    }

    @Override
    public void beforeSync(Path segment) {
      CountDownLatch g = gate;
      if (g.getCount() > 0) {
        stalled.countDown();
        try {
          g.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void aFullSyncEndsOnlyOnceItsEndIsDurableOnTheMaster() throws Exception {
    GatedDisk disk = new GatedDisk();
    try (ReplicationNode master =
        Nodes.master(dir.resolve("m"), b -> b.wal(w -> w.fsync(FsyncPolicy.ALWAYS).faults(disk)))) {
      master.store().put("a", "1");
      master.store().put("b", "2");
      disk.shut();
      CompletableFuture<?> c =
          master.store().putAsync("c".getBytes(), "3".getBytes()); // in memory, fsync stalled
      assertThat(disk.stalled.await(10, TimeUnit.SECONDS)).isTrue();
      long durable = master.wal().durableLsn();
      try (ReplicationNode slave = Nodes.slave(dir.resolve("s"), Nodes.port(master))) {
        // While the master cannot show "c" durable, no slave may end a sync that holds it.
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(3))
            .until(
                () ->
                    slave.store().get("c") == null
                        && slave.status().link().appliedLsn() <= durable);
        disk.open();
        c.get(10, TimeUnit.SECONDS);
        Nodes.awaitEqual(master, slave);
        assertThat(slave.store().get("c")).isEqualTo("3");
      }
    }
  }
}
