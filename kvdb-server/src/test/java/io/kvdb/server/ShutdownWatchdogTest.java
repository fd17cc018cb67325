package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.ChildServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code graceful_shutdown_timeout} is a promise (hostile-input issue, defect 4: a wedged server
 * logged its shutdown steps and was still alive 50 s after SIGTERM).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownWatchdogTest {
  @TempDir Path dir;

  @Test
  void aShutdownStuckOnItsDiskHaltsPastTheTimeoutAndLosesNothingAcknowledged() throws Exception {
    Path data = dir.resolve("data");
    Path trigger = dir.resolve("stall-now");
    Path config = dir.resolve("c.yaml");
    Files.writeString(
        config,
        "network:\n  port: 0\n  graceful_shutdown_timeout: 1\nlogging:\n  level: info\n"
            + "wal:\n  data_directory: "
            + data
            + "\nreplication:\n  master_port: 0\n");
    ChildServer server =
        ChildServer.startMain(
            StalledDiskMain.class.getName(),
            List.of(config.toString(), trigger.toString()),
            "-Xmx256m");
    try {
      try (Jedis j = new Jedis("127.0.0.1", server.port(), 5_000)) {
        j.set("acknowledged", "yes");
      }
      Files.createFile(trigger); // every fsync from now on hangs
      CompletableFuture<String> inFlight =
          CompletableFuture.supplyAsync(
              () -> {
                try (Jedis j = new Jedis("127.0.0.1", server.port(), 60_000)) {
                  return j.set("in-flight", "maybe");
                } catch (RuntimeException e) {
                  return "cut: " + e;
                }
              });
      // The write is stuck in its fsync (no reply): only then shut down.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> server.log().stream().anyMatch(l -> l.contains("listening on")));
      long start = System.nanoTime();
      server.signal("TERM");
      int status = server.awaitExit(60);
      long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(status).isEqualTo(Main.SHUTDOWN_HALT_STATUS);
      assertThat(tookSeconds).isBetween(1 + Main.SHUTDOWN_MARGIN_SECONDS - 1, 30L);
      assertThat(server.log()).anyMatch(l -> l.contains("halting with status 4"));
      assertThat(inFlight.get(30, TimeUnit.SECONDS)).isNotEqualTo("OK");
    } finally {
      server.close();
    }
    Files.delete(trigger);
    try (ChildServer again = ChildServer.start(config);
        Jedis j = new Jedis("127.0.0.1", again.port(), 5_000)) {
      assertThat(j.get("acknowledged")).isEqualTo("yes");
    }
  }
}
