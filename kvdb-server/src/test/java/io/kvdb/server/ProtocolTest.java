package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.TestServer;
import io.kvdb.server.testing.TestServer.RawClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The wire protocol through raw sockets: inline commands, fragments, pipelines, garbage, limits.
 */
class ProtocolTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServer.start(
            null,
            n ->
                new io.kvdb.server.config.ServerConfig.Network(
                    n.ip(),
                    0,
                    n.maxConnections(),
                    1024 * 1024,
                    0,
                    5,
                    null,
                    true,
                    n.maxOutputBuffer(),
                    0,
                    n.maxPendingReplies(),
                    0,
                    0,
                    n.maxQueryBuffer()));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void inlineCommandsFollowRedisQuoting() throws Exception {
    try (RawClient c = server.raw();
        Jedis j = server.jedis()) {
      c.send("SET user:1 \"John Doe\"\r\n");
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(j.get("user:1")).isEqualTo("John Doe");
      c.send("SET esc \"a\\tb\\n\\x41\\\"\"\r\n");
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(j.get("esc")).isEqualTo("a\tb\nA\"");
      c.send("SET single 'it\\'s'\n"); // a bare LF ends a line too
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(j.get("single")).isEqualTo("it's");
      c.send("GET user:1\r\n");
      assertThat(c.line()).isEqualTo("$8");
      assertThat(c.line()).isEqualTo("John Doe");
      c.send("\r\n   \r\nPING\r\n"); // empty lines are ignored
      assertThat(c.line()).isEqualTo("+PONG");
    }
  }

  @Test
  void unbalancedQuotesGetOneErrorThenTheConnectionCloses() throws Exception {
    try (RawClient c = server.raw()) {
      c.send("PING\r\nSET a \"oops\r\nPING\r\n");
      assertThat(c.line()).isEqualTo("+PONG");
      assertThat(c.line()).isEqualTo("-ERR Protocol error: unbalanced quotes in request");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void requestsSplitAcrossPacketsAndManyInOnePacket() throws Exception {
    try (RawClient c = server.raw()) {
      byte[] req =
          "*3\r\n$3\r\nSET\r\n$4\r\nfrag\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$4\r\nfrag\r\n"
              .getBytes(StandardCharsets.US_ASCII);
      for (byte b : req) {
        c.send(new byte[] {b}); // one byte per packet
      }
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(c.line()).isEqualTo("$5");
      assertThat(c.line()).isEqualTo("value");

      StringBuilder pipeline = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        pipeline.append(
            "*3\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n"
                .replace("*3", "*2")
                .replace("$4\r\nINCR", "$4\r\nINCR"));
      }
      c.send(pipeline.toString());
      for (int i = 1; i <= 1000; i++) {
        assertThat(c.line()).isEqualTo(":" + i); // replies in request order
      }
    }
  }

  @Test
  void garbageGetsAProtocolErrorAndTheConnectionCloses() throws Exception {
    try (RawClient c = server.raw()) {
      c.send("*2\r\n$3\r\nGET\r\n!garbage\r\n");
      assertThat(c.line()).isEqualTo("-ERR Protocol error: expected '$', got '!'");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawClient c = server.raw()) {
      c.send("*abc\r\n");
      assertThat(c.line()).isEqualTo("-ERR Protocol error: invalid multibulk length");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawClient c = server.raw()) {
      c.send("*2000000\r\n");
      assertThat(c.line()).isEqualTo("-ERR Protocol error: invalid multibulk length");
    }
    try (Jedis j = server.jedis()) {
      assertThat(j.ping()).isEqualTo("PONG"); // others are untouched
    }
  }

  @Test
  void oversizeRequestsAreRefusedBeforeBeingBuffered() throws Exception {
    try (RawClient c = server.raw()) {
      // Only the header is sent: the limit is checked before any of the 2 MiB arrives.
      c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (2 * 1024 * 1024) + "\r\n");
      assertThat(c.line())
          .startsWith("-ERR Protocol error: invalid bulk length")
          .contains("max_message_size");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawClient c = server.raw()) {
      c.send("SET k " + "x".repeat(70 * 1024)); // no newline: an endless inline request
      assertThat(c.line()).isEqualTo("-ERR Protocol error: too big inline request");
      assertThat(c.closedByServer()).isTrue();
    }
    try (Jedis j = server.jedis()) {
      assertThat(j.get("k")).isNull(); // nothing was written
      j.set("big".getBytes(), new byte[1000 * 1000]); // under the limit: fine
      assertThat(j.strlen("big")).isEqualTo(1000 * 1000);
    }
  }

  @Test
  void quitRepliesThenCloses() throws Exception {
    try (RawClient c = server.raw()) {
      c.send("QUIT\r\nPING\r\n");
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void halfClosedClientsStillGetEveryReply() throws Exception {
    try (RawClient c = server.raw()) {
      c.send("SET hc 1\r\nGET hc\r\n");
      c.socket().shutdownOutput(); // what nc does at the end of its input
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(c.line()).isEqualTo("$1");
      assertThat(c.line()).isEqualTo("1");
      assertThat(c.closedByServer()).isTrue();
    }
  }
}
