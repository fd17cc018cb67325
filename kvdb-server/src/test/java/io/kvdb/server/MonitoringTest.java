package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** INFO's statistics sections, CONFIG RESETSTAT and SLOWLOG move with real traffic. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitoringTest {
  @TempDir Path dir;

  /** INFO as a map, checking every line is Redis' shape: "# Section", "key:value" or empty. */
  static Map<String, String> info(Jedis j, String section) {
    Map<String, String> out = new HashMap<>();
    for (String line : j.info(section).split("\r\n")) {
      if (line.isEmpty() || line.startsWith("# ")) {
        continue;
      }
      int colon = line.indexOf(':');
      assertThat(colon).as("an INFO line is key:value: %s", line).isPositive();
      out.put(line.substring(0, colon), line.substring(colon + 1));
    }
    return out;
  }

  @Test
  void commandErrorAndLatencyStatsCountWhatRanAndResetStatZeroesThem() throws Exception {
    try (TestServer server = TestServer.start(TestServer.durable(dir.resolve("d")));
        Jedis j = server.jedis()) {
      j.configResetStat();
      for (int i = 0; i < 5; i++) {
        j.set("k" + i, "v");
      }
      j.set("s", "text");
      assertThatThrownBy(() -> j.sendCommand(() -> "GET".getBytes(StandardCharsets.US_ASCII)))
          .hasMessageContaining("wrong number of arguments");
      assertThatThrownBy(() -> j.incr("s")).hasMessageContaining("not an integer");
      Map<String, String> cmd = info(j, "commandstats");
      assertThat(cmd.get("cmdstat_set"))
          .startsWith("calls=6,usec=")
          .endsWith(",rejected_calls=0,failed_calls=0");
      assertThat(cmd.get("cmdstat_get"))
          .startsWith("calls=0,usec=0,")
          .endsWith("rejected_calls=1,failed_calls=0");
      assertThat(cmd.get("cmdstat_incr"))
          .startsWith("calls=1,")
          .endsWith("rejected_calls=0,failed_calls=1");
      assertThat(info(j, "errorstats")).containsEntry("errorstat_ERR", "count=2");
      assertThat(info(j, "stats")).containsEntry("total_error_replies", "2");
      assertThat(info(j, "latencystats").get("latency_percentiles_usec_set"))
          .matches("p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}");
      Map<String, String> persistence = info(j, "persistence");
      assertThat(Double.parseDouble(persistence.get("wal_fsync_p99_usec"))).isPositive();
      assertThat(persistence).containsKeys("wal_segments", "wal_disk_bytes", "wal_snapshots");
      Map<String, String> all = info(j, "everything");
      assertThat(all)
          .containsKeys("cmdstat_set", "used_cpu_user", "run_id", "total_net_input_bytes");
      assertThat(Long.parseLong(all.get("total_net_input_bytes"))).isPositive();

      assertThat(j.configResetStat()).isEqualTo("OK");
      assertThat(info(j, "commandstats")).containsOnlyKeys("cmdstat_config");
      assertThat(info(j, "errorstats")).isEmpty();
    }
  }

  @Test
  void slowlogKeepsSlowCommandsAsRedisDoes() throws Exception {
    try (TestServer server = TestServer.inMemory();
        Jedis j = server.jedis()) {
      j.clientSetname("tester");
      j.configSet("slowlog-log-slower-than", "0"); // every command is "slow"
      j.slowlogReset();
      j.set("a", "x".repeat(200));
      List<String> many = new ArrayList<>();
      many.add("DEL");
      for (int i = 0; i < 40; i++) {
        many.add("k" + i);
      }
      j.sendCommand(
          () -> "DEL".getBytes(StandardCharsets.US_ASCII),
          many.subList(1, many.size()).toArray(String[]::new));
      List<Object> entries = j.slowlogGetBinary(2);
      assertThat(entries).hasSize(2);
      List<?> del = (List<?>) entries.get(0);
      List<?> set = (List<?>) entries.get(1);
      assertThat((Long) set.get(0)).isEqualTo((Long) del.get(0) - 1); // ids: newest first
      List<?> delArgs = (List<?>) del.get(3);
      assertThat(delArgs).hasSize(32);
      assertThat(new String((byte[]) delArgs.get(31), StandardCharsets.UTF_8))
          .isEqualTo("... (10 more arguments)");
      List<?> setArgs = (List<?>) set.get(3);
      assertThat(new String((byte[]) setArgs.get(2), StandardCharsets.UTF_8))
          .isEqualTo("x".repeat(128) + "... (72 more bytes)");
      assertThat(new String((byte[]) set.get(4), StandardCharsets.UTF_8))
          .matches("127\\.0\\.0\\.1:\\d+");
      assertThat(new String((byte[]) set.get(5), StandardCharsets.UTF_8)).isEqualTo("tester");
      assertThat(j.slowlogLen()).isGreaterThanOrEqualTo(3);
      j.configSet("slowlog-max-len", "1");
      assertThat(j.slowlogLen()).isEqualTo(1);
      j.configSet("slowlog-log-slower-than", "-1");
      j.slowlogReset();
      j.set("b", "c");
      assertThat(j.slowlogLen()).isZero();
    }
  }

  @Test
  void clientListShowsEachConnectionAndClientKillClosesOne() throws Exception {
    try (TestServer server = TestServer.inMemory();
        Jedis admin = server.jedis();
        io.kvdb.server.testing.RespWire other =
            io.kvdb.server.testing.RespWire.connect(server.port())) {
      admin.clientSetname("admin");
      other.call("MULTI");
      other.call("SET", "a", "1");
      other.call("GET", "a");
      String otherId = other.call("CLIENT", "ID"); // queued inside MULTI
      assertThat(otherId).isEqualTo("+QUEUED\\r\\n");
      String list = admin.clientList();
      String[] lines = list.split("\n");
      assertThat(lines).hasSize(2);
      String mine = admin.clientInfo().trim();
      assertThat(mine)
          .matches(
              "id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ name=admin"
                  + " age=\\d+ idle=\\d+ flags=N db=0 multi=-1 qbuf=\\d+ oll=0 omem=\\d+"
                  + " cmd=client user=default resp=2 lib-name=\\S* lib-ver=\\S*");
      String theirs =
          java.util.Arrays.stream(lines)
              .filter(l -> !l.contains("name=admin"))
              .findFirst()
              .orElseThrow();
      assertThat(theirs).contains("flags=x", "multi=3", "cmd=client");
      String theirId = theirs.substring(3, theirs.indexOf(' '));
      assertThat(
              admin.clientKill(
                  redis.clients.jedis.params.ClientKillParams.clientKillParams().id(theirId)))
          .isEqualTo(1);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> admin.clientList().split("\n").length == 1);
      assertThatThrownBy(other::readReply).isInstanceOf(java.io.IOException.class);
      assertThatThrownBy(() -> admin.clientKill("1.2.3.4:5")).hasMessage("ERR No such client");
    }
  }

  @Test
  void latencyRecordsSlowCommandsAndSlowFsyncs() throws Exception {
    java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stallNext =
        new java.util.concurrent.atomic.AtomicBoolean();
    io.kvdb.wal.WalFaults slowDisk =
        new io.kvdb.wal.WalFaults() {
          @Override
          public void beforeSync(Path segment) {
            if (stallNext.getAndSet(false)) {
              stalled.countDown();
              try {
                gate.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    try (TestServer server =
            TestServer.startWithWal(TestServer.durable(dir.resolve("d")), w -> w.faults(slowDisk));
        Jedis j = server.jedis()) {
      assertThat(j.configSet("latency-monitor-threshold", "5")).isEqualTo("OK");
      // A slow command: LCS of two 3,000-byte values fills a 9-million-cell table.
      j.set("a", "ab".repeat(1500));
      j.set("b", "ba".repeat(1500));
      j.sendCommand(() -> "LCS".getBytes(StandardCharsets.US_ASCII), "a", "b", "LEN");
      // A slow fsync: the next one waits until the test lets it go, 50 ms later.
      stallNext.set(true);
      var write =
          java.util.concurrent.CompletableFuture.runAsync(
              () -> {
                try (Jedis w = server.jedis()) {
                  w.set("k", "v");
                }
              });
      assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();
      org.awaitility.Awaitility.await()
          .pollDelay(java.time.Duration.ofMillis(50))
          .until(() -> true);
      gate.countDown();
      write.get(30, TimeUnit.SECONDS);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> j.latencyLatest().containsKey("wal-fsync"));
      var latest = j.latencyLatest();
      assertThat(latest).containsKeys("command", "wal-fsync");
      assertThat(latest.get("wal-fsync").getMaxEventLatency()).isGreaterThanOrEqualTo(50);
      assertThat(
              (List<?>)
                  j.sendCommand(
                      () -> "LATENCY".getBytes(StandardCharsets.US_ASCII), "HISTORY", "command"))
          .isNotEmpty();
      assertThat(j.latencyReset()).isEqualTo(2);
      assertThat(j.latencyLatest()).isEmpty();
    }
  }

  /** redis-py's INFO parser (what redis-py, and tools built on it, use) reads every section. */
  @Test
  void aRedisClientsInfoParserReadsEverySection() throws Exception {
    Needs.tool(
        new File("/usr/bin/python3").canExecute() && pythonHas("redis"),
        "python3 with redis-py is not installed (Debian: python3-redis)");
    try (TestServer server = TestServer.start(TestServer.durable(dir.resolve("d")));
        Jedis j = server.jedis()) {
      j.set("k", "v");
      j.set("t", "v", redis.clients.jedis.params.SetParams.setParams().ex(100));
      j.get("k");
      Path info = dir.resolve("info.txt");
      java.nio.file.Files.writeString(info, j.info("everything"));
      String script =
          "import sys\n"
              + "from redis.client import parse_info\n"
              + "i = parse_info(open(sys.argv[1]).read())\n"
              + "print(i['db0']['keys'], i['db0']['expires'], i['cmdstat_set']['calls'],"
              + " i['connected_clients'], i['used_memory'] > 0, i['wal_fsync_p99_usec'] >= 0,"
              + " type(i['latency_percentiles_usec_get']['p99']).__name__)\n";
      Process p =
          new ProcessBuilder("/usr/bin/python3", "-c", script, info.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("parse_info failed: %s", out).isZero();
      assertThat(out).isEqualTo("2 1 2 1 True True float");
    }
  }

  private static boolean pythonHas(String module) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import " + module).start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test
  void redisCliStatReadsKvdbsInfo() throws Exception {
    Needs.tool(onPath("redis-cli") && onPath("stdbuf"), "redis-cli is not installed");
    try (TestServer server = TestServer.inMemory();
        Jedis j = server.jedis()) {
      j.set("a", "1");
      Process p =
          new ProcessBuilder(
                  "stdbuf",
                  "-o0",
                  "redis-cli",
                  "-p",
                  Integer.toString(server.port()),
                  "--stat",
                  "-i",
                  "0.1")
              .redirectErrorStream(true)
              .start();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(r.readLine()).contains("data").contains("load");
        assertThat(r.readLine()).contains("keys").contains("mem").contains("clients");
        // keys, memory, clients, blocked, requests, connections: all read from INFO
        assertThat(r.readLine().trim())
            .matches("1\\s+\\S+\\s+2\\s+0\\s+\\d+ \\(\\+\\d+\\)\\s+\\d+");
      } finally {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
