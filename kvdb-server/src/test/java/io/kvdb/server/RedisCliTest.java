package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.TestServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real redis-cli against the server (skipped, with a reason, where redis-cli is not installed).
 */
class RedisCliTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    Needs.tool(
        onPath("redis-cli"), "redis-cli is not installed (Debian: apt-get install redis-tools)");
    server = TestServer.inMemory();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private static String redisCli(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(server.port())));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void commandsFromTheCommandLine() throws Exception {
    assertThat(redisCli("", "SET", "greeting", "hello world")).isEqualTo("OK\n");
    assertThat(redisCli("", "GET", "greeting")).isEqualTo("hello world\n");
    assertThat(redisCli("", "INCRBY", "n", "5")).isEqualTo("5\n");
    assertThat(redisCli("", "PING")).isEqualTo("PONG\n");
    assertThat(redisCli("", "GET")).contains("wrong number of arguments for 'get' command");
  }

  @Test
  void pipedCommandsAndScan() throws Exception {
    String out = redisCli("SET k1 v1\nSET k2 v2\nMGET k1 k2 nope\nDBSIZE\n");
    assertThat(out).startsWith("OK\nOK\nv1\nv2\n\n");
    assertThat(redisCli("", "--scan", "--pattern", "k*")).contains("k1\n").contains("k2\n");
  }

  @Test
  void infoAndCommandDocsParse() throws Exception {
    assertThat(redisCli("", "INFO", "server")).contains("redis_version:").contains("kvdb_version:");
    assertThat(redisCli("", "COMMAND", "DOCS", "set")).contains("summary").contains("arguments");
  }
}
