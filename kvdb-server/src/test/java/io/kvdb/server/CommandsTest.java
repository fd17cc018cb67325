package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

/** The command set, through Jedis, against a real server with a WAL. */
class CommandsTest {
  static TestServer server;
  Jedis jedis;

  @BeforeAll
  static void start(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    server = TestServer.start(dir, n -> n);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void connect() {
    jedis = server.jedis();
    jedis.flushAll();
  }

  @AfterEach
  void disconnect() {
    jedis.close();
  }

  @Test
  void getSetAndTheirOptions() {
    assertThat(jedis.get("k")).isNull();
    assertThat(jedis.set("k", "v1")).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("v1");
    assertThat(jedis.set("k", "v2", SetParams.setParams().nx())).isNull();
    assertThat(jedis.set("k", "v2", SetParams.setParams().xx())).isEqualTo("OK");
    assertThat(jedis.set("absent", "x", SetParams.setParams().xx())).isNull();
    assertThat(jedis.get("absent")).isNull();
    assertThat(jedis.setGet("k", "v3")).isEqualTo("v2");
    assertThat(jedis.get("k")).isEqualTo("v3");
    assertThat(jedis.setnx("k", "no")).isZero();
    assertThat(jedis.setnx("new", "yes")).isEqualTo(1);
    assertThat(jedis.getDel("new")).isEqualTo("yes");
    assertThat(jedis.exists("new")).isFalse();
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "NX", "XX"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR syntax error");
    assertThat(jedis.set("t", "v", SetParams.setParams().ex(10))).isEqualTo("OK");
    assertThat(jedis.ttl("t")).isEqualTo(10);
    assertThat(jedis.get("k")).isEqualTo("v3");
  }

  @Test
  void valuesAreBinarySafe() {
    byte[] key = {0, 1, 2, '\r', '\n', -1};
    byte[] value = new byte[1000];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    jedis.set(key, value);
    assertThat(jedis.get(key)).isEqualTo(value);
    assertThat(jedis.strlen(key)).isEqualTo(1000);
    jedis.set(new byte[0], new byte[0]);
    assertThat(jedis.get(new byte[0])).isEmpty();
  }

  @Test
  void delExistsMgetMset() {
    assertThat(jedis.mset("a", "1", "b", "2", "c", "3")).isEqualTo("OK");
    assertThat(jedis.mget("a", "b", "zz", "c")).containsExactly("1", "2", null, "3");
    assertThat(jedis.exists("a", "b", "zz", "a")).isEqualTo(3);
    assertThat(jedis.del("a", "b", "zz")).isEqualTo(2);
    assertThat(jedis.dbSize()).isEqualTo(1);
    assertThat(jedis.type("c")).isEqualTo("string");
    assertThat(jedis.type("a")).isEqualTo("none");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.MSET, "a", "1", "b"))
        .hasMessage("ERR wrong number of arguments for 'mset' command");
  }

  @Test
  void countersLogTheirResultAndRejectNonIntegers() {
    assertThat(jedis.incr("n")).isEqualTo(1);
    assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
    assertThat(jedis.decr("n")).isEqualTo(41);
    assertThat(jedis.decrBy("n", 50)).isEqualTo(-9);
    assertThat(jedis.get("n")).isEqualTo("-9");
    jedis.set("s", "abc");
    assertThatThrownBy(() -> jedis.incr("s"))
        .hasMessage("ERR value is not an integer or out of range");
    jedis.set("s", " 1");
    assertThatThrownBy(() -> jedis.incr("s"))
        .hasMessage("ERR value is not an integer or out of range");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.INCRBY, "n", "x"))
        .hasMessage("ERR value is not an integer or out of range");
    jedis.set("max", Long.toString(Long.MAX_VALUE));
    assertThatThrownBy(() -> jedis.incr("max"))
        .hasMessage("ERR increment or decrement would overflow");
    assertThat(jedis.get("max")).isEqualTo(Long.toString(Long.MAX_VALUE));
  }

  @Test
  void scanWalksTheKeyspaceWithMatchAndCount() {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      jedis.set("user:" + i, "x");
      jedis.set("other:" + i, "y");
      expected.add("user:" + i);
    }
    Set<String> seen = new HashSet<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    int calls = 0;
    do {
      ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("user:*").count(50));
      seen.addAll(page.getResult());
      cursor = page.getCursor();
      calls++;
    } while (!cursor.equals("0"));
    assertThat(seen).isEqualTo(expected);
    assertThat(calls).isGreaterThan(5);
    assertThat(jedis.keys("other:1?")).hasSize(10);
    assertThatThrownBy(() -> jedis.scan("abc")).hasMessage("ERR invalid cursor");
  }

  @Test
  void connectionAndServerCommands() {
    assertThat(jedis.ping()).isEqualTo("PONG");
    assertThat(jedis.ping("hi")).isEqualTo("hi");
    assertThat(jedis.echo("echo")).isEqualTo("echo");
    assertThat(jedis.select(0)).isEqualTo("OK");
    assertThatThrownBy(() -> jedis.select(1)).hasMessage("ERR DB index is out of range");
    assertThat(jedis.clientSetname("tester")).isEqualTo("OK");
    assertThat(jedis.clientGetname()).isEqualTo("tester");
    assertThat(jedis.clientId()).isPositive();
    assertThat(jedis.clientList()).contains("name=tester");
    assertThat(jedis.configGet("maxclients")).containsEntry("maxclients", "10000");
    assertThat(jedis.configGet("append*")).containsKeys("appendonly", "appendfsync");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.HELLO, "3"))
        .hasMessageStartingWith("NOPROTO");
    List<?> hello = (List<?>) jedis.sendCommand(Protocol.Command.HELLO, "2");
    Map<String, Object> fields = new java.util.HashMap<>();
    for (int i = 0; i + 1 < hello.size(); i += 2) {
      fields.put(SafeEncoder.encode((byte[]) hello.get(i)), hello.get(i + 1));
    }
    assertThat(fields).containsEntry("proto", 2L).containsKeys("server", "version", "id");
    assertThat(SafeEncoder.encode((byte[]) fields.get("role"))).isEqualTo("master");
  }

  @Test
  void infoHasEverySection() {
    jedis.set("k", "v");
    String info = jedis.info();
    for (String section :
        List.of(
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Replication",
            "# Stats",
            "# Keyspace")) {
      assertThat(info).contains(section);
    }
    assertThat(info).contains("db0:keys=1").contains("wal_fsync:always").contains("role:master");
    assertThat(info).containsPattern("wal_records_per_group:\\d+\\.\\d\\d").contains("wal_fsyncs:");
    assertThat(jedis.info("keyspace")).startsWith("# Keyspace").doesNotContain("# Server");
  }

  @Test
  void commandReportsSpecsAndDocs() {
    long count = (Long) jedis.sendCommand(Protocol.Command.COMMAND, "COUNT");
    assertThat(count).isGreaterThan(25);
    List<?> info = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "INFO", "get", "set");
    List<?> get = (List<?>) info.get(0);
    assertThat(SafeEncoder.encode((byte[]) get.get(0))).isEqualTo("get");
    assertThat(get.get(1)).isEqualTo(2L);
    List<?> docs = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "DOCS", "set");
    assertThat(SafeEncoder.encode((byte[]) docs.get(0))).isEqualTo("set");
    List<?> setDocs = (List<?>) docs.get(1);
    List<String> docKeys = new java.util.ArrayList<>();
    for (int i = 0; i < setDocs.size(); i += 2) {
      docKeys.add(SafeEncoder.encode((byte[]) setDocs.get(i)));
    }
    assertThat(docKeys).contains("summary", "since", "group", "arguments");
    String summary = SafeEncoder.encode((byte[]) setDocs.get(docKeys.indexOf("summary") * 2 + 1));
    assertThat(summary).containsIgnoringCase("value");
  }

  @Test
  void errorsAreWordedAsRedisWordsThem() {
    assertThatThrownBy(() -> jedis.sendCommand(() -> SafeEncoder.encode("FOO"), "a", "b"))
        .hasMessage("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.GET))
        .hasMessage("ERR wrong number of arguments for 'get' command");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.CLIENT, "nope"))
        .hasMessage("ERR unknown subcommand 'nope'. Try CLIENT HELP.");
  }

  @Test
  void flushAllEmptiesTheStore() {
    jedis.set("a", "1");
    assertThat(jedis.flushAll()).isEqualTo("OK");
    assertThat(jedis.dbSize()).isZero();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
