package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.replication.testing.TcpProxy;
import io.kvdb.server.testing.ChildServer;
import io.kvdb.server.testing.Info;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The replication faults of the replication issue at process level: servers in child JVMs started
 * from the server's main class with the defaults a user gets, links through a TCP proxy. (Items 2,
 * 5 and 6 at process level: {@code ReplicationServerTest.aKilledSlaveContinuesFromItsOwnLog},
 * {@code MountedDataDirectoryTest}, {@code
 * DiskFullTest.aSlaveWhoseDiskFillsCatchesUpWhenSpaceReturns}.)
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ReplicationFaultsProcessTest {
  @TempDir Path dir;

  /**
   * Item 4: the reconnect backoff resets after a good session. A link that is down for 0.5 s again
   * and again must come back within about a second of each return, every time — before the fix each
   * outage doubled the delay (1.2, 1.2, 2.8, 5.5, 11.7 s ...). Default backoff.
   */
  @Test
  void aSlaveBehindAFlakyLinkCatchesUpWithinASecondOfEveryReturn() throws Exception {
    ChildServer master =
        ChildServer.start(ChildServer.config(dir.resolve("m.yaml"), dir.resolve("m")));
    ChildServer slave = null;
    try (Jedis m = new Jedis("127.0.0.1", master.port(), 5000);
        TcpProxy link = new TcpProxy(replicationPort(m))) {
      slave =
          ChildServer.start(
              ChildServer.config(
                  dir.resolve("s.yaml"),
                  dir.resolve("s"),
                  "replication:",
                  "  role: slave",
                  "  master_port: " + link.port()));
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try (Jedis w = new Jedis("127.0.0.1", master.port(), 5000)) {
                  for (long i = 0; !stop.get(); i++) {
                    w.set("k" + (i % 500), "v" + i);
                  }
                }
              },
              r -> new Thread(r, "writer").start());
      try (Jedis s = new Jedis("127.0.0.1", slave.port(), 5000)) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> m.info("replication").contains("state=online"));
        List<Long> catchUpMillis = new ArrayList<>();
        for (int cycle = 0; cycle < 6; cycle++) {
          link.down(true); // every connection reset, new ones refused
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // the outage itself
          m.set("marker", "c" + cycle);
          long back = System.nanoTime();
          link.down(false);
          String want = "c" + cycle;
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(5))
              .until(() -> want.equals(s.get("marker")));
          catchUpMillis.add((System.nanoTime() - back) / 1_000_000);
        }
        System.out.println("catch-up after each 0.5 s outage, ms: " + catchUpMillis);
        assertThat(catchUpMillis)
            .as("catch-up after each return of the link, ms")
            .allSatisfy(ms -> assertThat(ms).isLessThan(1500));
        Info stats = Info.parse(m.info("stats"));
        assertThat(stats.number("sync_full")).as("only the first sync is full").isEqualTo(1);
        assertThat(stats.number("sync_partial_ok")).isGreaterThanOrEqualTo(6);
      } finally {
        stop.set(true);
        writer.get(30, TimeUnit.SECONDS);
      }
    } finally {
      if (slave != null) {
        slave.close();
      }
      master.close();
    }
  }

  /**
   * Rejoin by rollback with the server: after B is promoted the old master A holds a tail B never
   * had; {@code REPLICAOF} B on A rolls the tail back into a RESP file in A's data directory and
   * continues from the fork — no full sync — and INFO says how many records it rolled back.
   */
  @Test
  void anOldMasterPointedAtThePromotedSlaveRollsBackAndContinues() throws Exception {
    Path aData = dir.resolve("a");
    ChildServer a = ChildServer.start(ChildServer.config(dir.resolve("a.yaml"), aData));
    ChildServer b = null;
    try (Jedis ja = new Jedis("127.0.0.1", a.port(), 5000)) {
      b =
          ChildServer.start(
              ChildServer.config(
                  dir.resolve("b.yaml"),
                  dir.resolve("b"),
                  "replication:",
                  "  role: slave",
                  "  master_port: " + replicationPort(ja),
                  "  listen_port: 0"));
      try (Jedis jb = new Jedis("127.0.0.1", b.port(), 5000)) {
        for (int i = 0; i < 100; i++) {
          ja.set("k" + i, "v" + i);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> ReplicationServerTest.digest(jb).equals(ReplicationServerTest.digest(ja)));
        assertThat(jb.replicaofNoOne()).isEqualTo("OK");
        // Split brain: A goes on taking writes B never sees.
        ja.set("tail1", "x");
        ja.del("k1");

        assertThat(ja.replicaof("127.0.0.1", replicationPort(jb))).isEqualTo("OK");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Info.parse(ja.info("replication")).get("master_link_status").equals("up"));
        jb.set("after", "rejoin");
        await().atMost(Duration.ofSeconds(30)).until(() -> "rejoin".equals(ja.get("after")));

        Info ia = Info.parse(ja.info("replication"));
        assertThat(ia.number("kvdb_rollback_records")).isEqualTo(2);
        assertThat(ja.get("tail1")).isNull();
        assertThat(ja.get("k1")).isEqualTo("v1");
        assertThat(ReplicationServerTest.digest(ja)).isEqualTo(ReplicationServerTest.digest(jb));
        assertThat(Info.parse(jb.info("stats")).number("sync_full")).as("no full sync").isZero();
        Path file = Path.of(ia.get("kvdb_rollback_file"));
        assertThat(file.getParent()).isEqualTo(aData);
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
            .isEqualTo(
                "*3\r\n$3\r\nSET\r\n$5\r\ntail1\r\n$1\r\nx\r\n"
                    + "*2\r\n$3\r\nDEL\r\n$2\r\nk1\r\n");
      }
    } finally {
      if (b != null) {
        b.close();
      }
      a.close();
    }
  }

  private static int replicationPort(Jedis j) {
    return (int) Info.parse(j.info("replication")).number("kvdb_replication_port");
  }
}
