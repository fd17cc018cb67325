package io.kvdb.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.TestServer;
import io.kvdb.server.testing.TestServer.RawClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Every blocked command is released when its client goes (hostile-input issue, defect 7: a client
 * that sent {@code WAIT 1 0} with no slave attached and disconnected was never freed; 40 of them
 * used up {@code max_connections: 20} for good).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlockedClientTest {
  @TempDir Path dir;

  @Test
  void clientsThatLeaveWhileBlockedInWaitAreFreed() throws Exception {
    ServerConfig base = TestServer.durable(dir.resolve("d"));
    ServerConfig cfg =
        base.withNetwork(
            new ServerConfig.Network(
                "127.0.0.1",
                0,
                20,
                512L << 20,
                0,
                5,
                null,
                true,
                256L << 20,
                0,
                10_000,
                0,
                0,
                1L << 30));
    try (TestServer s = TestServer.start(cfg)) {
      for (int i = 0; i < 40; i++) {
        try (RawClient c = s.raw()) {
          c.send("SET k" + i + " v\r\n");
          assertThat(c.line()).isEqualTo("+OK");
          c.send("WAIT 1 0\r\n"); // no slave: blocks until the client goes
          c.send("WAITAOF 0 1 0\r\n");
        }
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (Jedis j = s.jedis()) {
                  Info info = Info.parse(j.info("clients"));
                  assertThat(info.number("connected_clients")).isEqualTo(1);
                  assertThat(info.number("blocked_clients")).isZero();
                }
              });
      // A client blocked right now is counted, and freed when it leaves.
      try (RawClient blocked = s.raw();
          Jedis j = s.jedis()) {
        blocked.send("WAIT 1 0\r\n");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> Info.parse(j.info("clients")).number("blocked_clients") == 1);
      }
      try (Jedis j = s.jedis()) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> Info.parse(j.info("clients")).number("blocked_clients") == 0);
        assertThat(j.get("k39")).isEqualTo("v");
      }
    }
  }
}
