package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A full disk is recoverable without a restart (hostile-input issue, defect 5: writes answered
 * MISCONF forever after space came back). The data directory is a small tmpfs, filled up under a
 * writer: the write that finds no space waits, new writes are refused with MISCONF, reads go on,
 * INFO says why; once space is back everything goes on and nothing acknowledged is lost.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DiskFullTest {
  @TempDir Path dir;

  /** Mounts a tmpfs of {@code megabytes} at {@code at}; false where that is not allowed. */
  static boolean mountTmpfs(Path at, int megabytes) throws Exception {
    Files.createDirectories(at);
    Process p =
        new ProcessBuilder(
                "mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", at.toString())
            .redirectErrorStream(true)
            .start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  static void unmount(Path at) throws Exception {
    new ProcessBuilder("umount", "-l", at.toString()).start().waitFor(30, TimeUnit.SECONDS);
  }

  /** Writes until the device is full. */
  static void fill(Path file) throws IOException {
    byte[] chunk = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }

  @Test
  void writesWaitAndAreRefusedWhileTheDiskIsFullAndGoOnWhenSpaceReturns() throws Exception {
    Path disk = dir.resolve("disk");
    Needs.tool(mountTmpfs(disk, 24), "mounting a tmpfs (root) for a disk that fills up");
    try {
      Path data = disk.resolve("data");
      Map<String, String> acked = new ConcurrentHashMap<>();
      byte[] big = new byte[32 << 10];
      java.util.Arrays.fill(big, (byte) 'x');
      String value = new String(big, java.nio.charset.StandardCharsets.US_ASCII);
      try (TestServer s = TestServer.start(TestServer.durable(data));
          Jedis other = s.jedis()) {
        other.set("before", "1");
        Path filler = disk.resolve("filler");
        fill(filler);
        CompletableFuture<Void> writer =
            CompletableFuture.runAsync(
                () -> {
                  try (Jedis j = new Jedis("127.0.0.1", s.port(), 60_000)) {
                    for (int i = 0; i < 10_000; i++) {
                      String k = "k" + i;
                      j.set(k, value + i); // the one that finds no space waits here
                      acked.put(k, value + i);
                      if (Info.parse(j.info("persistence")).get("wal_status").equals("ok")
                          && acked.size() > 200) {
                        return;
                      }
                    }
                  }
                },
                r -> new Thread(r).start());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Info.parse(other.info("persistence")).get("wal_status").equals("stalled"));
        assertThat(Info.parse(other.info("persistence")).get("wal_stalled_by"))
            .contains("No space left");
        // New writes are refused, and nothing of them is applied.
        assertThatThrownBy(() -> other.set("refused", "x"))
            .isInstanceOf(JedisDataException.class)
            .hasMessageStartingWith("MISCONF");
        // Under fsync always a read's reply waits until what it may reveal is durable: it is
        // answered once the stalled write is (the promise holds through the stall).
        CompletableFuture<String> read =
            CompletableFuture.supplyAsync(
                () -> {
                  try (Jedis j = new Jedis("127.0.0.1", s.port(), 60_000)) {
                    return j.get("before");
                  }
                },
                r -> new Thread(r).start());
        long ackedWhileFull = acked.size();

        Files.delete(filler); // space comes back
        writer.get(60, TimeUnit.SECONDS); // the waiting write completed, and more after it
        assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo("1");
        assertThat(other.get("refused")).isNull();
        assertThat(acked.size()).isGreaterThan((int) ackedWhileFull);
        assertThat(Info.parse(other.info("persistence")).get("wal_status")).isEqualTo("ok");
        assertThat(other.set("after", "2")).isEqualTo("OK");
      }
      try (TestServer again = TestServer.start(TestServer.durable(data));
          Jedis j = again.jedis()) {
        for (var e : acked.entrySet()) {
          assertThat(j.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(j.get("after")).isEqualTo("2");
        assertThat(j.get("refused")).isNull();
      }
    } finally {
      unmount(disk);
    }
  }

  /**
   * A slave whose disk fills up recovers on its own once space is back (replication issue, item 6:
   * its log failed for good, wal_status:failed, while the link flapped connected/down).
   */
  @Test
  void aSlaveWhoseDiskFillsCatchesUpWhenSpaceReturns() throws Exception {
    Path disk = dir.resolve("slave-disk");
    Needs.tool(mountTmpfs(disk, 24), "mounting a tmpfs (root) for a disk that fills up");
    try (TestServer master = TestServer.start(TestServer.durable(dir.resolve("m")));
        Jedis m = master.jedis()) {
      try (TestServer slave =
              TestServer.start(
                  ReplicationServerTest.slaveOf(disk.resolve("s"), master.replicationPort()));
          Jedis s = slave.jedis()) {
        m.set("first", "1");
        await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(s.get("first")));
        Path filler = disk.resolve("filler");
        fill(filler);
        String value = "v".repeat(32 << 10);
        for (int i = 0; i < 300; i++) { // ~10 MB: more than the slave's disk has
          m.set("k" + i, value + i);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Info.parse(s.info("persistence")).get("wal_status").equals("stalled"));
        Files.delete(filler);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    Info.parse(s.info("persistence")).get("wal_status").equals("ok")
                        && ReplicationServerTest.digest(s).equals(ReplicationServerTest.digest(m)));
        assertThat(s.get("k299")).isEqualTo(value + 299);
      }
    } finally {
      unmount(disk);
    }
  }
}
