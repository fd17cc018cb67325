package io.kvdb.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.replication.internal.DataDirs;
import io.kvdb.replication.testing.Nodes;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cascading slaves, as Redis supports them (replication issue): a slave that listens serves slaves
 * of its own from its log with the same handshake, its history being its master's; a chain of three
 * converges, and goes on converging when the middle node restarts or takes a full sync.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CascadeTest {
  @TempDir Path dir;

  private ReplicationNode middle(int masterPort, int listenPort) throws Exception {
    return Nodes.base(dir.resolve("s1"))
        .replicaOf("127.0.0.1", masterPort)
        .listen("127.0.0.1", listenPort)
        .build();
  }

  @Test
  void aChainOfThreeConvergesThroughRestartsAndFullSyncs() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"))) {
      for (int i = 0; i < 500; i++) {
        master.store().put("k" + i, "v" + i);
      }
      ReplicationNode s1 = middle(Nodes.port(master), 0);
      int s1Port = s1.status().listenPort();
      assertThat(s1Port).isPositive();
      try (ReplicationNode s2 = Nodes.slave(dir.resolve("s2"), s1Port)) {
        Nodes.awaitEqual(master, s1, s2);
        assertThat(s2.status().history()).isEqualTo(master.status().history());
        assertThat(s1.status().slaves())
            .singleElement()
            .satisfies(sl -> assertThat(sl.state()).isEqualTo("online"));

        master.store().put("live", "1");
        Nodes.awaitEqual(master, s1, s2);

        // The middle node restarts on its port: the end of the chain continues.
        s1.close();
        master.store().put("while-down", "2");
        s1 = middle(Nodes.port(master), s1Port);
        Nodes.awaitEqual(master, s1, s2);
        assertThat(s2.store().get("while-down")).isEqualTo("2");

        // The middle node is wiped and takes a full sync: it serves the new data from then on.
        s1.close();
        DataDirs.deleteTree(dir.resolve("s1"));
        master.store().put("after-wipe", "3");
        s1 = middle(Nodes.port(master), s1Port);
        Nodes.awaitEqual(master, s1, s2);
        assertThat(s2.store().get("after-wipe")).isEqualTo("3");
        master.store().put("last", "4");
        Nodes.awaitEqual(master, s1, s2);
      } finally {
        s1.close();
      }
    }
  }
}
