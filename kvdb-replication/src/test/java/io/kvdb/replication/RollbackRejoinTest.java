package io.kvdb.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.replication.testing.Nodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover that finishes itself (replication issue: rejoin by rollback). After B is promoted, the
 * old master A holds a tail B never had. Restarted as B's slave by configuration (an automatic
 * connection) it is refused, keeping its data; pointed at B explicitly (REPLICAOF) it rolls the
 * tail back into a file of RESP commands, cuts its log back to the fork and continues from there —
 * no full sync.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RollbackRejoinTest {
  @TempDir Path dir;

  @Test
  void anOldMasterPointedExplicitlyAtThePromotedSlaveRollsBackItsTailAndContinues()
      throws Exception {
    Path a = dir.resolve("a");
    ReplicationNode oldMaster = Nodes.master(a);
    try (ReplicationNode b =
        Nodes.base(dir.resolve("b"))
            .replicaOf("127.0.0.1", Nodes.port(oldMaster))
            .listen("127.0.0.1", 0)
            .build()) {
      for (int i = 0; i < 100; i++) {
        oldMaster.store().put("k" + i, "v" + i);
      }
      Nodes.awaitEqual(oldMaster, b);
      b.promote();
      long fork = b.status().history().forkLsn();
      // Split brain: the old master goes on taking writes B never sees.
      oldMaster.store().put("tail1", "x");
      oldMaster
          .store()
          .putAllAsync(List.of("tail2".getBytes(), "y".getBytes(), "k0".getBytes(), "z".getBytes()))
          .join();
      oldMaster.store().delete("k1");
      long tail = oldMaster.store().lastLsn() - fork;
      assertThat(tail).isEqualTo(3);
      oldMaster.close();

      // Restarted as B's slave by its configuration: refused, nothing discarded.
      try (ReplicationNode restarted =
          Nodes.base(a).replicaOf("127.0.0.1", Nodes.port(b)).build()) {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> restarted.status().link().state().equals("refused"));
        assertThat(restarted.store().get("tail1")).isEqualTo("x");
        assertThat(restarted.rolledBackRecords()).isZero();

        // An operator points it at B: it rolls the tail back and continues.
        restarted.replicaOf("127.0.0.1", Nodes.port(b));
        b.store().put("after", "rejoin");
        Nodes.awaitEqual(b, restarted);
        assertThat(restarted.store().get("tail1")).isNull();
        assertThat(restarted.store().get("k0")).isEqualTo("v0");
        assertThat(restarted.store().get("k1")).isEqualTo("v1");
        assertThat(restarted.store().get("after")).isEqualTo("rejoin");
        assertThat(restarted.rolledBackRecords()).isEqualTo(tail);
        assertThat(b.status().syncFull()).as("no full sync").isZero();

        String kept = Files.readString(restarted.lastRollbackFile(), StandardCharsets.UTF_8);
        assertThat(kept)
            .isEqualTo(
                "*3\r\n$3\r\nSET\r\n$5\r\ntail1\r\n$1\r\nx\r\n"
                    + "*1\r\n$5\r\nMULTI\r\n"
                    + "*3\r\n$3\r\nSET\r\n$5\r\ntail2\r\n$1\r\ny\r\n"
                    + "*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n$1\r\nz\r\n"
                    + "*1\r\n$4\r\nEXEC\r\n"
                    + "*2\r\n$3\r\nDEL\r\n$2\r\nk1\r\n");

        // Later reconnects are automatic again: they never roll back.
        assertThat(restarted.status().link().up()).isTrue();
      }
    }
  }

  /**
   * Found by the fault runs: when a snapshot had compacted the tail after the fork, the rollback
   * closed the store, failed to cut the log, and left the node closed — every read failed, even
   * after a promotion. A rollback that cannot be made changes nothing: the node keeps serving its
   * data and its link is refused with the reason.
   */
  @Test
  void aRollbackThatASnapshotPreventsLeavesTheNodeServingAndSaysWhy() throws Exception {
    Path a = dir.resolve("a2");
    ReplicationNode oldMaster = Nodes.master(a);
    try (ReplicationNode b =
        Nodes.base(dir.resolve("b2"))
            .replicaOf("127.0.0.1", Nodes.port(oldMaster))
            .listen("127.0.0.1", 0)
            .build()) {
      oldMaster.store().put("k", "v");
      Nodes.awaitEqual(oldMaster, b);
      b.promote();
      oldMaster.store().put("tail", "x");
      oldMaster.wal().snapshot().get(20, TimeUnit.SECONDS); // the tail is in a snapshot now

      oldMaster.replicaOf("127.0.0.1", Nodes.port(b));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> oldMaster.status().link().state().equals("refused"));
      assertThat(oldMaster.status().link().refusal())
          .contains("cannot roll back")
          .contains("resync-over-divergence");
      assertThat(oldMaster.store().get("tail")).as("still serving its data").isEqualTo("x");
      assertThat(oldMaster.rolledBackRecords()).isZero();
      try (var files = Files.list(a)) {
        assertThat(files.filter(f -> f.getFileName().toString().startsWith("rollback-")))
            .as("no rollback file for a rollback that was not made")
            .isEmpty();
      }
      oldMaster.promote(); // and it can still be made a master again
      oldMaster.store().put("again", "y");
      assertThat(oldMaster.store().get("again")).isEqualTo("y");
    } finally {
      oldMaster.close();
    }
  }
}
