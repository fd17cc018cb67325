package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.TestServer;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Replication-aware clients find kvdb's slaves as they find Redis' replicas: from the master's INFO
 * replication, whose slaveN lines are in Redis' exact shape with the slave's client port
 * (replication issue: Lettuce's MasterReplica with ReadFrom.REPLICA said "Cannot determine a node
 * to read" against kvdb, whose slaveN lines carried a UUID id, durable_offset= and the slave's
 * ephemeral port).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicaDiscoveryTest {
  @TempDir Path dir;

  @Test
  void lettuceMasterReplicaReadsFromTheSlave() throws Exception {
    try (TestServer master = TestServer.start(TestServer.durable(dir.resolve("m")));
        TestServer slave =
            TestServer.start(
                ReplicationServerTest.slaveOf(dir.resolve("s"), master.replicationPort()));
        Jedis m = master.jedis();
        Jedis s = slave.jedis()) {
      m.set("k", "from-master");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  "from-master".equals(s.get("k"))
                      && Info.parse(m.info("replication"))
                          .get("slave0")
                          .contains("port=" + slave.port()));
      Info info = Info.parse(m.info("replication"));
      assertThat(info.number("connected_slaves")).isEqualTo(1);
      assertThat(info.get("slave0"))
          .matches(
              "ip=127\\.0\\.0\\.1,port=" + slave.port() + ",state=online,offset=\\d+,lag=\\d+");
      assertThat(info.get("kvdb_slave0")).contains("durable_offset=").contains("state=online");
      List<Object> role = m.role();
      @SuppressWarnings("unchecked")
      List<Object> first = (List<Object>) ((List<Object>) role.get(2)).get(0);
      assertThat(first.get(1)).isEqualTo(Integer.toString(slave.port()));

      long getsBefore = getCalls(s);
      RedisClient client = RedisClient.create();
      try (StatefulRedisMasterReplicaConnection<String, String> c =
          MasterReplica.connect(
              client, StringCodec.UTF8, RedisURI.create("redis://127.0.0.1:" + master.port()))) {
        c.setReadFrom(ReadFrom.REPLICA);
        for (int i = 0; i < 10; i++) {
          assertThat(c.sync().get("k")).isEqualTo("from-master");
        }
      } finally {
        client.shutdown();
      }
      assertThat(getCalls(s) - getsBefore).as("GETs the slave served").isGreaterThanOrEqualTo(10);
    }
  }

  /**
   * Redis' {@code replica-announce-port} (replication.announce_port): a slave behind NAT or a port
   * mapping announces the port clients reach it on; its master's INFO and ROLE show that one.
   * Settable at runtime: the next ACK carries it.
   */
  @Test
  void aSlaveAnnouncesTheConfiguredPort() throws Exception {
    try (TestServer master = TestServer.start(TestServer.durable(dir.resolve("m2")));
        TestServer slave =
            TestServer.start(
                ReplicationServerTest.slaveOf(dir.resolve("s2"), master.replicationPort()));
        Jedis m = master.jedis();
        Jedis s = slave.jedis()) {
      assertThat(s.configGet("replica-announce-port")).containsEntry("replica-announce-port", "0");
      assertThat(s.configSet("replica-announce-port", "7777")).isEqualTo("OK");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Info.parse(m.info("replication")).get("slave0").contains("port=7777,"));
      @SuppressWarnings("unchecked")
      List<Object> first = (List<Object>) ((List<Object>) m.role().get(2)).get(0);
      assertThat(first.get(1)).isEqualTo("7777");
      assertThat(s.configGet("replica-announce-port"))
          .containsEntry("replica-announce-port", "7777");
      assertThat(s.configSet("replica-announce-port", "0")).isEqualTo("OK"); // its own again
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  Info.parse(m.info("replication"))
                      .get("slave0")
                      .contains("port=" + slave.port() + ","));
      assertThatThrownBy(() -> s.configSet("replica-announce-port", "65536"))
          .hasMessageContaining("argument must be between 0 and 65535 inclusive");
    }
  }

  private static long getCalls(Jedis j) {
    String line = Info.parse(j.info("commandstats")).get("cmdstat_get");
    return Long.parseLong(line.replaceAll("^calls=(\\d+),.*$", "$1"));
  }
}
