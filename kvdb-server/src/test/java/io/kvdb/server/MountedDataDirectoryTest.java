package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A slave whose data directory is a mount point (a Docker volume, a Kubernetes PV) finishes a full
 * sync (replication issue, item 5: the new state was built beside it and renamed over it — EBUSY on
 * a mount point — after the old store was closed, and the slave answered "the store is closed"
 * forever). The state is now built and switched inside the directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MountedDataDirectoryTest {
  @TempDir Path dir;

  @Test
  void aSlaveWhoseDataDirectoryIsAMountPointFinishesItsFullSyncs() throws Exception {
    Path data = dir.resolve("slave-volume");
    Needs.tool(DiskFullTest.mountTmpfs(data, 64), "mounting a tmpfs (root) as a data directory");
    try (TestServer master = TestServer.start(TestServer.durable(dir.resolve("m")));
        Jedis m = master.jedis()) {
      for (int i = 0; i < 1000; i++) {
        m.set("k" + i, "v" + i);
      }
      try (TestServer slave =
              TestServer.start(ReplicationServerTest.slaveOf(data, master.replicationPort()));
          Jedis s = slave.jedis()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> ReplicationServerTest.digest(s).equals(ReplicationServerTest.digest(m)));
        assertThat(s.get("k999")).isEqualTo("v999");
        m.set("after", "sync");
        await().atMost(Duration.ofSeconds(10)).until(() -> "sync".equals(s.get("after")));
      }
      // Nothing of the switch is left behind, inside the volume or beside it.
      try (Stream<Path> files = Files.list(data)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.equals(".fullsync") || n.equals(".old") || n.equals("SWITCH"));
      }
      try (Stream<Path> siblings = Files.list(dir)) {
        assertThat(siblings.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.startsWith("slave-volume."));
      }
      // And the slave restarts on what the switch left.
      try (TestServer again =
              TestServer.start(ReplicationServerTest.slaveOf(data, master.replicationPort()));
          Jedis s = again.jedis()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> ReplicationServerTest.digest(s).equals(ReplicationServerTest.digest(m)));
      }
    } finally {
      DiskFullTest.unmount(data);
    }
  }
}
