package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.server.testing.ChildServer;
import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.RespWire;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** SHUTDOWN stops a real server process gracefully: exit 0, nothing acknowledged lost. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShutdownCommandTest {
  @TempDir Path dir;

  @Test
  void shutdownExitsZeroAfterFlushingAndTheDataIsThereOnRestart() throws Exception {
    Path data = dir.resolve("data");
    Path config = ChildServer.config(dir.resolve("config.yaml"), data);
    ChildServer server = ChildServer.start(config);
    try (RespWire c = RespWire.connect(server.port())) {
      for (int i = 0; i < 100; i++) {
        assertThat(c.call("SET", "k" + i, "v" + i)).isEqualTo("+OK\\r\\n");
      }
      assertThat(c.call("SHUTDOWN", "ABORT")).isEqualTo("-ERR No shutdown in progress.\\r\\n");
      assertThat(c.call("SHUTDOWN", "NOSAVE", "SAVE")).isEqualTo("-ERR syntax error\\r\\n");
      c.call("MULTI");
      assertThat(c.call("SHUTDOWN"))
          .isEqualTo("-ERR Command not allowed inside a transaction\\r\\n");
      c.call("DISCARD");
      c.send("SHUTDOWN", "SAVE");
      assertThatThrownBy(c::readReply).isInstanceOf(IOException.class); // closed, no reply
      assertThat(server.awaitExit(60)).isZero();
    } finally {
      server.close();
    }
    ChildServer again = ChildServer.start(config);
    try (Jedis j = new Jedis("127.0.0.1", again.port(), 10_000)) {
      assertThat(j.dbSize()).isEqualTo(100);
      assertThat(j.get("k99")).isEqualTo("v99");
      assertThat(Info.parse(j.info("persistence")).number("recovery_snapshot_lsn")).isEqualTo(100);
    } finally {
      again.close();
    }
  }
}
