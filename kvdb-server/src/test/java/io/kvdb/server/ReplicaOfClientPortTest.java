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
 * {@code REPLICAOF host <client port>} is what a Redis user types first (replication issue, item
 * 11: it answered OK and sat in the handshake silently for 61 s, then timed out forever). The
 * client port never answers the binary HELLO: within seconds the slave says what is wrong, in INFO
 * and once in the log, and the right port then works at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaOfClientPortTest {
  @TempDir Path dir;

  @Test
  void pointedAtAClientPortTheSlaveSaysSoWithinSeconds() throws Exception {
    try (TestServer master = TestServer.start(TestServer.durable(dir.resolve("m")));
        TestServer node = TestServer.start(TestServer.durable(dir.resolve("n")));
        Jedis m = master.jedis();
        Jedis n = node.jedis()) {
      m.set("k", "v");
      long start = System.nanoTime();
      assertThat(n.replicaof("127.0.0.1", master.port())).isEqualTo("OK"); // the client port
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> Info.parse(n.info("replication")).get("kvdb_link_state").equals("refused"));
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(12);
      // Either the 5 s without an answer ("... not a client port?"), or — when a byte of the
      // binary HELLO (a random history id, a port) happens to be a newline, which ends an inline
      // command — the client port's "-ERR ..." reply, recognized as RESP: both name the mistake.
      assertThat(Info.parse(n.info("replication")).get("kvdb_sync_refused"))
          .containsAnyOf("not a client port", "a client port, or a Redis server");

      n.replicaof("127.0.0.1", master.replicationPort()); // the right one
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions() // -LOADING during the full sync's switch
          .until(() -> "v".equals(n.get("k")));
    }
  }
}
