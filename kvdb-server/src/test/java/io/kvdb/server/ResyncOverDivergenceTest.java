package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A slave refused as diverged says so on both sides, and CONFIG SET resync-over-divergence yes lets
 * it take a full sync at its next attempt, without a restart (replication issue: visible to
 * operators).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ResyncOverDivergenceTest {
  @TempDir Path dir;

  @Test
  void aDivergedSlaveIsRefusedVisiblyUntilAllowedToResync() throws Exception {
    try (TestServer first = TestServer.start(TestServer.durable(dir.resolve("a")));
        TestServer other = TestServer.start(TestServer.durable(dir.resolve("b")));
        TestServer slave =
            TestServer.start(
                ReplicationServerTest.slaveOf(dir.resolve("s"), first.replicationPort()));
        Jedis a = first.jedis();
        Jedis b = other.jedis();
        Jedis s = slave.jedis()) {
      a.set("from", "a");
      b.set("from", "b");
      await().atMost(Duration.ofSeconds(20)).until(() -> "a".equals(s.get("from")));
      // Pointed at a master of another history while holding data: refused, and it says why.
      s.replicaof("127.0.0.1", other.replicationPort());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Info.parse(s.info("replication")).get("kvdb_link_state").equals("refused"));
      assertThat(Info.parse(s.info("replication")).get("kvdb_sync_refused")).contains("diverged");
      // The slave retries after a backoff, so the master's view alternates between a handshake
      // and the refusal: wait for the refusal rather than expect it at one instant.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                String slave0 = Info.parse(b.info("replication")).get("kvdb_slave0");
                return slave0 != null
                    && slave0.contains("state=refused")
                    && slave0.contains("reason=diverged");
              });
      assertThat(s.get("from")).isEqualTo("a"); // it keeps serving its data
      assertThat(s.configGet("resync-over-divergence"))
          .containsEntry("resync-over-divergence", "no");

      assertThat(s.configSet("resync-over-divergence", "yes")).isEqualTo("OK");
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> "b".equals(s.get("from")));
      assertThat(ReplicationServerTest.digest(s)).isEqualTo(ReplicationServerTest.digest(b));
    }
  }
}
