package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.server.testing.RespWire;
import io.kvdb.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** Expiry, transactions, MONITOR and CONFIG SET through a real server and a real client. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExpiryAndTransactionsTest {
  @TempDir Path dir;

  @Test
  void keysExpireForReadersAtOnceAndTheExpirerReclaimsThemWithLoggedDeletes() throws Exception {
    try (TestServer server = TestServer.start(TestServer.durable(dir.resolve("d")));
        Jedis j = server.jedis()) {
      Pipeline p = j.pipelined();
      for (int i = 0; i < 20_000; i++) {
        p.set("k" + i, "v", SetParams.setParams().px(4000));
      }
      p.set("stay", "v");
      p.sync();
      assertThat(j.info("keyspace")).contains("db0:keys=20001,expires=20000");
      await().atMost(Duration.ofSeconds(15)).until(() -> j.dbSize() == 1);
      assertThat(j.get("k7")).isNull();
      assertThat(j.exists("k7")).isFalse();
      assertThat(j.keys("k*")).isEmpty();
      // Nobody reads them again: the expirer frees them all, each removal logged.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.server().context().engine().keysWithExpiry() == 0);
      assertThat(field(j.info("stats"), "expired_keys")).isEqualTo("20000");
      long deletes = 0;
      try (LogCursor c = server.server().context().wal().openCursor(1)) {
        for (WalRecord r = c.next(); r != null; r = c.next()) {
          for (Mutation m : r.mutations()) {
            deletes += m.type() == RecordType.DELETE ? 1 : 0;
          }
        }
      }
      assertThat(deletes).isEqualTo(20_000);
      assertThat(j.get("stay")).isEqualTo("v");
    }
  }

  @Test
  void anExecIsOneRecordInTheLogAndRuntimeErrorsDoNotStopIt() throws Exception {
    try (TestServer server = TestServer.start(TestServer.durable(dir.resolve("d")));
        Jedis j = server.jedis()) {
      j.set("s", "text");
      long before = server.server().context().wal().lastLsn();
      Transaction t = j.multi();
      t.set("a", "1");
      t.incr("s"); // fails at run time: its error is its reply, the rest goes on
      t.incr("a");
      t.expire("a", 100);
      t.del("nokey");
      List<Object> replies = t.exec();
      assertThat(replies.get(0)).isEqualTo("OK");
      assertThat(replies.get(1)).isInstanceOf(JedisDataException.class);
      assertThat(replies.subList(2, 5)).containsExactly(2L, 1L, 0L);
      assertThat(server.server().context().wal().lastLsn()).isEqualTo(before + 1);
      try (LogCursor c = server.server().context().wal().openCursor(before + 1)) {
        WalRecord r = c.next();
        assertThat(r.type()).isEqualTo(RecordType.BATCH);
        assertThat(r.mutations())
            .extracting(Mutation::type)
            .containsExactly(RecordType.PUT, RecordType.PUT, RecordType.EXPIRE);
      }
    }
  }

  @Test
  void aReplicaFollowsItsMastersExpiryAndRunsReadOnlyTransactions() throws Exception {
    try (TestServer master = TestServer.start(TestServer.durable(dir.resolve("m")));
        TestServer slave =
            TestServer.start(
                ReplicationServerTest.slaveOf(dir.resolve("s"), master.replicationPort()));
        Jedis m = master.jedis();
        Jedis s = slave.jedis()) {
      m.set("short", "v", SetParams.setParams().px(300));
      m.set("long", "v", SetParams.setParams().ex(1000));
      m.set("plain", "v");
      assertThat(m.waitReplicas(1, 10_000)).isEqualTo(1);
      assertThat(s.pttl("long")).isPositive();
      // The master's expirer removes "short" and logs it; the slave applies that delete.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> slave.server().context().engine().keysWithExpiry() == 1);
      assertThat(s.get("short")).isNull();
      assertThat(s.dbSize()).isEqualTo(2);
      assertThat(ReplicationServerTest.digest(s)).isEqualTo(ReplicationServerTest.digest(m));

      Transaction t = s.multi();
      t.get("plain");
      t.ttl("plain");
      assertThat(t.exec()).containsExactly("v", -1L);
      try (RespWire w = RespWire.connect(slave.port())) {
        w.call("MULTI");
        assertThat(w.call("SET", "x", "1")).startsWith("-READONLY");
        assertThat(w.call("EXEC")).startsWith("-EXECABORT");
      }
    }
  }

  @Test
  void minReplicasToWriteChangesAtRuntime() throws Exception {
    try (TestServer server = TestServer.start(TestServer.durable(dir.resolve("d")));
        Jedis j = server.jedis()) {
      j.set("before", "1");
      assertThat(j.configSet("min-replicas-to-write", "1")).isEqualTo("OK");
      assertThat(j.configGet("min-replicas-*"))
          .containsEntry("min-replicas-to-write", "1")
          .containsEntry("min-replicas-max-lag", "10");
      assertThatThrownBy(() -> j.set("k", "v")).hasMessageStartingWith("NOREPLICAS");
      assertThat(j.exists("k")).isFalse();
      j.configSet("min-replicas-to-write", "0");
      assertThat(j.set("k", "v")).isEqualTo("OK");
    }
  }

  @Test
  void monitorSeesEveryCommandOfOtherClientsInRedisFormat() throws Exception {
    try (TestServer server = TestServer.inMemory();
        RespWire monitor = RespWire.connect(server.port());
        Jedis j = server.jedis()) {
      assertThat(monitor.call("MONITOR")).isEqualTo("+OK\\r\\n");
      j.set("k", "a \"quoted\"\nvalue");
      j.get("k");
      String set = monitor.readReply();
      assertThat(set).matches("\\+\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+\\] .*");
      assertThat(set).endsWith(" \"SET\" \"k\" \"a \\\"quoted\\\"\\nvalue\"\\r\\n");
      assertThat(monitor.readReply()).contains("\"GET\" \"k\"");
      assertThat(monitor.call("RESET")).isEqualTo("+RESET\\r\\n");
      j.set("after", "reset");
      assertThat(monitor.call("PING")).isEqualTo("+PONG\\r\\n"); // no more monitor lines
    }
  }

  @Test
  void configSetChangesLimitsAtRuntime() throws Exception {
    try (TestServer server = TestServer.inMemory();
        Jedis admin = server.jedis()) {
      admin.ping();
      assertThat(admin.configSet("maxclients", "1")).isEqualTo("OK");
      try (RespWire refused = RespWire.connect(server.port())) {
        assertThat(refused.readReply()).isEqualTo("-ERR max number of clients reached\\r\\n");
      }
      admin.configSet("maxclients", "100");
      admin.configSet("requirepass", "s3cret");
      try (RespWire c = RespWire.connect(server.port())) {
        assertThat(c.call("GET", "k")).startsWith("-NOAUTH");
        assertThat(c.call("AUTH", "s3cret")).isEqualTo("+OK\\r\\n");
      }
      admin.configSet("maxmemory", "1mb");
      assertThat(admin.configGet("maxmemory")).containsEntry("maxmemory", "1048576");
      String big = "x".repeat(100_000);
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 100; i++) {
                  admin.set("big" + i, big);
                }
              })
          .hasMessageStartingWith("OOM");
      admin.configSet("maxmemory", "0");
      admin.set("big-after", big);
    }
  }

  private static String field(String info, String name) {
    return info.lines()
        .filter(l -> l.startsWith(name + ":"))
        .findFirst()
        .orElseThrow()
        .substring(name.length() + 1);
  }
}
