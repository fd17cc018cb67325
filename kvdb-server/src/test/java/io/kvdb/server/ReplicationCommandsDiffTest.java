package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.RedisServer;
import io.kvdb.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** Replication commands answer bad input exactly as Redis 7.0 does (replies compared whole). */
class ReplicationCommandsDiffTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void badArgumentsGetRedisReplies() throws Exception {
    Needs.tool(RedisServer.available(), RedisServer.MISSING);
    List<String[]> commands =
        List.of(
            new String[] {"REPLICAOF", "localhost", "notaport"},
            new String[] {"REPLICAOF", "localhost", "70000"},
            new String[] {"REPLICAOF", "localhost", "0"},
            new String[] {"REPLICAOF", "no"},
            new String[] {"SLAVEOF", "a", "b", "c"},
            new String[] {"WAIT", "-1", "10"},
            new String[] {"WAIT", "0", "0"},
            new String[] {"WAIT", "1", "-5"},
            new String[] {"WAIT", "x", "5"},
            new String[] {"WAIT", "1"},
            new String[] {"ROLE", "extra"});
    try (RedisServer redis = RedisServer.start();
        TestServer kvdb = TestServer.start(TestServer.durable(dir.resolve("d")));
        Jedis r = redis.jedis();
        Jedis k = kvdb.jedis()) {
      for (String[] c : commands) {
        assertThat(reply(k, c)).as(String.join(" ", c)).isEqualTo(reply(r, c));
      }
    }
  }

  private static String reply(Jedis j, String[] command) {
    byte[][] args = new byte[command.length - 1][];
    for (int i = 1; i < command.length; i++) {
      args[i - 1] = command[i].getBytes(StandardCharsets.UTF_8);
    }
    try {
      Object o = j.sendCommand(() -> command[0].getBytes(StandardCharsets.UTF_8), args);
      return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    } catch (JedisDataException e) {
      return "-" + e.getMessage();
    }
  }
}
