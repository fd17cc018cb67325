package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.RedisServer;
import io.kvdb.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Glob patterns in KEYS and SCAN MATCH: no pattern can freeze the server; results equal Redis'. */
class PatternTest {
  /** The denial of service: this never answered, and blocked every other client. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aBacktrackingPatternAnswersAtOnceAndOthersAreServed() throws Exception {
    try (TestServer s = TestServer.inMemory();
        Jedis a = s.jedis();
        Jedis b = s.jedis()) {
      a.set("a".repeat(40), "v");
      CompletableFuture<List<String>> keys =
          CompletableFuture.supplyAsync(() -> new ArrayList<>(a.keys("a*".repeat(20) + "b")));
      assertThat(b.ping()).isEqualTo("PONG");
      assertThat(keys.get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(a.keys("a*".repeat(20))).containsExactly("a".repeat(40));
      ScanResult<String> page =
          a.scan("0", new ScanParams().match("a*".repeat(20) + "b").count(1000));
      assertThat(page.getResult()).isEmpty();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void keysAndScanMatchEqualRedis() throws Exception {
    Needs.tool(RedisServer.available(), RedisServer.MISSING);
    List<String> keys =
        List.of(
            "",
            "a",
            "ab",
            "abc",
            "a*b",
            "a?c",
            "[x]",
            "]",
            "-",
            "^a",
            "a\\b",
            "hello",
            "hallo",
            "hxllo",
            "user:1",
            "user:2:name",
            "\u00e9t\u00e9");
    List<String> patterns =
        List.of(
            "*",
            "**",
            "",
            "a*",
            "*b*",
            "?",
            "??",
            "a?c",
            "h[ae]llo",
            "h[^e]llo",
            "h[a-b]llo",
            "[a-]",
            "[z-a]*",
            "[abc",
            "\\[x\\]",
            "a\\*b",
            "*\\",
            "user:*",
            "user:?:*",
            "[]]",
            "[\\]]",
            "*[",
            "a*".repeat(20) + "b",
            "\u00e9*");
    try (RedisServer redis = RedisServer.start();
        TestServer kvdb = TestServer.inMemory();
        Jedis r = redis.jedis();
        Jedis k = kvdb.jedis()) {
      for (String key : keys) {
        r.set(key, "v");
        k.set(key, "v");
      }
      for (String p : patterns) {
        assertThat(new TreeSet<>(k.keys(p))).as("KEYS %s", p).isEqualTo(new TreeSet<>(r.keys(p)));
        assertThat(scanAll(k, p)).as("SCAN MATCH %s", p).isEqualTo(scanAll(r, p));
      }
    }
  }

  private static TreeSet<String> scanAll(Jedis j, String pattern) {
    TreeSet<String> all = new TreeSet<>();
    String cursor = "0";
    do {
      ScanResult<byte[]> page =
          j.scan(
              cursor.getBytes(StandardCharsets.UTF_8),
              new ScanParams().match(pattern.getBytes(StandardCharsets.UTF_8)).count(7));
      page.getResult().forEach(b -> all.add(new String(b, StandardCharsets.UTF_8)));
      cursor = page.getCursor();
    } while (!cursor.equals("0"));
    return all;
  }
}
