package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.netty.ProtectedMode;
import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.TestServer;
import io.kvdb.server.testing.TestServer.RawClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Connection limit, idle timeout, output buffer limit, AUTH and protected mode. */
class LimitsTest {

  private static ServerConfig.Network net(
      ServerConfig.Network n,
      String ip,
      int maxConnections,
      long idle,
      String password,
      boolean protectedMode,
      long maxOutput) {
    return new ServerConfig.Network(
        ip,
        0,
        maxConnections,
        n.maxMessageSize(),
        idle,
        5,
        password,
        protectedMode,
        maxOutput,
        0,
        n.maxPendingReplies(),
        0,
        0,
        n.maxQueryBuffer());
  }

  @Test
  void theConnectionOverTheLimitIsRefusedAndOthersAreUntouched() throws Exception {
    try (TestServer s =
        TestServer.start(null, n -> net(n, "127.0.0.1", 3, 0, null, true, n.maxOutputBuffer()))) {
      List<Jedis> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Jedis j = s.jedis();
        j.set("k" + i, "v");
        clients.add(j);
      }
      try (RawClient extra = s.raw()) {
        assertThat(extra.line()).isEqualTo("-ERR max number of clients reached");
        assertThat(extra.closedByServer()).isTrue();
      }
      for (Jedis j : clients) {
        assertThat(j.ping()).isEqualTo("PONG");
      }
      clients.get(0).close();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                try (Jedis again = s.jedis()) {
                  assertThat(again.get("k0")).isEqualTo("v"); // a slot freed up
                }
              });
      clients.forEach(Jedis::close);
    }
  }

  @Test
  void idleClientsAreClosed() throws Exception {
    try (TestServer s =
            TestServer.start(
                null, n -> net(n, "127.0.0.1", 100, 1, null, true, n.maxOutputBuffer()));
        RawClient c = s.raw()) {
      c.send("PING\r\n");
      assertThat(c.line()).isEqualTo("+PONG");
      long silentFrom = System.nanoTime();
      c.socket().setSoTimeout(10_000);
      assertThat(c.closedByServer()).isTrue(); // after about a second of silence
      long silentMillis = (System.nanoTime() - silentFrom) / 1_000_000;
      // Not before the timeout (the idle checker may be up to one period late, never early).
      assertThat(silentMillis).isBetween(900L, 5_000L);
    }
  }

  @Test
  void aClientThatNeverReadsIsDisconnectedAtTheOutputLimit() throws Exception {
    try (TestServer s =
        TestServer.start(null, n -> net(n, "127.0.0.1", 100, 0, null, true, 1024 * 1024))) {
      try (Jedis j = s.jedis()) {
        j.set("big".getBytes(), new byte[256 * 1024]);
      }
      try (Socket lazy = new Socket("127.0.0.1", s.port())) {
        lazy.setReceiveBufferSize(4096);
        byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes();
        // Keep asking for 256 KiB replies and never read one: the server must cut us off.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  try {
                    for (int i = 0; i < 64; i++) {
                      lazy.getOutputStream().write(get);
                    }
                    return false;
                  } catch (java.io.IOException e) {
                    return true; // the server closed the connection
                  }
                });
      }
      assertThat(s.server().context().stats().outputBufferDisconnects.sum()).isEqualTo(1);
      try (Jedis j = s.jedis()) {
        assertThat(j.strlen("big")).isEqualTo(256 * 1024); // the server and its data are fine
      }
    }
  }

  @Test
  void theSoftOutputLimitCutsAClientOffOnlyAfterItsPeriod() throws Exception {
    try (TestServer s = TestServer.start(null, n -> net(n, "127.0.0.1", 100, 0, null, true, 0))) {
      try (Jedis j = s.jedis()) {
        j.set("big".getBytes(), new byte[256 * 1024]);
        // Redis' syntax, at runtime: no hard limit, a 1 MiB soft limit for 2 seconds.
        assertThat(j.configSet("client-output-buffer-limit", "normal 0 1mb 2")).isEqualTo("OK");
      }
      long start = System.nanoTime();
      try (Socket lazy = new Socket("127.0.0.1", s.port())) {
        lazy.setReceiveBufferSize(4096);
        byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> {
                  try {
                    lazy.getOutputStream().write(get);
                    return false;
                  } catch (java.io.IOException e) {
                    return true; // the server closed the connection
                  }
                });
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(2_000);
      assertThat(s.server().context().stats().outputBufferDisconnects.sum()).isEqualTo(1);
    }
  }

  @Test
  void theQueryBufferLimitSetAtRuntimeClosesABigSender() throws Exception {
    try (TestServer s = TestServer.start(null, n -> n);
        RawClient c = s.raw()) {
      try (Jedis j = s.jedis()) {
        assertThat(j.configSet("client-query-buffer-limit", "1mb")).isEqualTo("OK");
      }
      c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n");
      byte[] chunk = new byte[64 * 1024];
      try {
        for (int i = 0; i < 24; i++) { // 1.5 MiB of the value: over the limit
          c.send(chunk);
        }
      } catch (java.io.IOException closedMeanwhile) {
        // the server may close before all of it went out
      }
      assertThat(c.line())
          .startsWith("-ERR Protocol error: ")
          .contains("client-query-buffer-limit");
      assertThat(c.closedByServer()).isTrue();
      try (Jedis j = s.jedis()) {
        assertThat(j.exists("k")).isFalse(); // nothing of it was applied
      }
    }
  }

  @Test
  void passwordRequiresAuthExceptForPingHelloAndQuit() throws Exception {
    try (TestServer s =
            TestServer.start(
                null, n -> net(n, "127.0.0.1", 100, 0, "s3cret", true, n.maxOutputBuffer()));
        RawClient c = s.raw()) {
      c.send("GET k\r\n");
      assertThat(c.line()).isEqualTo("-NOAUTH Authentication required.");
      c.send("PING\r\n");
      assertThat(c.line()).isEqualTo("+PONG");
      c.send("AUTH wrong\r\n");
      assertThat(c.line())
          .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
      c.send("SET k v\r\n");
      assertThat(c.line()).isEqualTo("-NOAUTH Authentication required.");
      // Before AUTH, large requests are refused outright (Redis' unauthenticated limits).
      try (RawClient big = s.raw()) {
        big.send("*11\r\n");
        assertThat(big.line()).isEqualTo("-ERR Protocol error: unauthenticated multibulk length");
      }
      // HELLO 2 AUTH authenticates, as Redis; with a wrong password it is refused.
      c.send("HELLO 2 AUTH default wrong\r\n");
      assertThat(c.line())
          .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
      try (RawClient h = s.raw()) {
        h.send("HELLO 2 AUTH default s3cret\r\nGET k\r\n");
        assertThat(h.line()).startsWith("*"); // HELLO's map
        String line;
        do {
          line = h.line();
        } while (!line.equals("$-1")); // GET answered: authenticated, k not set yet
      }
      // QUIT before AUTH: +OK, then the server closes.
      try (RawClient q = s.raw()) {
        q.send("QUIT\r\n");
        assertThat(q.line()).isEqualTo("+OK");
        assertThat(q.closedByServer()).isTrue();
      }
      c.send("AUTH s3cret\r\nSET k v\r\nGET k\r\n");
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(c.line()).isEqualTo("$1");
      assertThat(c.line()).isEqualTo("v");
      // The password never shows in CONFIG GET, whatever the pattern.
      c.send("CONFIG GET *\r\n");
      String header = c.line();
      assertThat(header).startsWith("*");
      StringBuilder config = new StringBuilder();
      for (int i = Integer.parseInt(header.substring(1)); i > 0; i--) {
        config.append(c.line()).append(c.line()).append('\n'); // $len, then the bulk
      }
      assertThat(config.toString()).contains("maxclients").doesNotContain("s3cret");
    }
    try (TestServer s = TestServer.start(null, n -> n);
        Jedis j = s.jedis()) {
      assertThatThrownBy(() -> j.auth("x")).hasMessageContaining("without any password configured");
    }
  }

  @Test
  void protectedModeRefusesNonLoopbackClientsWithoutAPassword() {
    ServerConfig.Network d = ServerConfig.Network.DEFAULT;
    // Addresses are only constructed here: no traffic goes anywhere but loopback in these tests.
    var anyLocal = new InetSocketAddress("0.0.0.0", 3223);
    var loopback = new InetSocketAddress("127.0.0.1", 50000);
    var remote = new InetSocketAddress("10.1.2.3", 50000);
    ServerConfig.Network open = net(d, "0.0.0.0", 100, 0, null, true, d.maxOutputBuffer());
    assertThat(ProtectedMode.refuses(open, anyLocal, remote)).isTrue();
    assertThat(ProtectedMode.refuses(open, anyLocal, loopback)).isFalse();
    assertThat(ProtectedMode.refuses(open, new InetSocketAddress("127.0.0.1", 3223), remote))
        .isFalse();
    assertThat(ProtectedMode.refuses(net(d, "0.0.0.0", 100, 0, "pw", true, 0), anyLocal, remote))
        .isFalse();
    assertThat(ProtectedMode.refuses(net(d, "0.0.0.0", 100, 0, null, false, 0), anyLocal, remote))
        .isFalse();
  }

  @Test
  void boundToAllAddressesWithoutAPasswordLoopbackClientsAreStillServed() throws Exception {
    try (TestServer s =
            TestServer.start(
                null, n -> net(n, "0.0.0.0", 100, 0, null, true, n.maxOutputBuffer()));
        Jedis local = s.jedis()) {
      assertThat(local.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void theMemoryLimitAnswersOomAndTheServerKeepsServing() throws Exception {
    ServerConfig cfg =
        new ServerConfig(
            new ServerConfig.Engine("in_memory", 0, 64 * 1024),
            ServerConfig.Network.DEFAULT.withPort(0),
            ServerConfig.Logging.DEFAULT,
            null,
            ServerConfig.Replication.DEFAULT,
            ServerConfig.Monitoring.DEFAULT);
    try (TestServer s = TestServer.start(cfg);
        Jedis j = s.jedis()) {
      String oom = null;
      int stored = 0;
      for (int i = 0; i < 1000 && oom == null; i++) {
        try {
          j.set("k" + i, "v".repeat(1000));
          stored++;
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
          oom = e.getMessage();
        }
      }
      assertThat(oom).isEqualTo("OOM command not allowed when used memory > 'maxmemory'.");
      assertThat(stored).isBetween(40, 70);
      assertThat(j.get("k0")).hasSize(1000); // reads still work
      assertThat(j.del("k0", "k1", "k2")).isEqualTo(3); // deletes make room
      assertThat(j.set("again", "fits")).isEqualTo("OK");
      assertThat(Info.parse(j.info("memory")).number("maxmemory")).isEqualTo(65536);
      assertThat(j.configGet("maxmemory")).containsEntry("maxmemory", "65536");
    }
  }
}
