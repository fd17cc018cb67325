package io.kvdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reply formatting, without a terminal. */
class ReplyPrinterTest {
  private static RespValue bulk(String s) {
    return new RespValue.Bulk(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void getPrintsValueOrKeyNotFound() {
    assertThat(ReplyPrinter.format("GET", bulk("John Doe"))).isEqualTo("Value: John Doe");
    assertThat(ReplyPrinter.format("get", bulk(null))).isEqualTo("key not found");
  }

  @Test
  void scalarsLookLikeRedisCli() {
    assertThat(ReplyPrinter.format("SET", new RespValue.Simple("OK"))).isEqualTo("OK");
    assertThat(ReplyPrinter.format("INCR", new RespValue.Int(3))).isEqualTo("(integer) 3");
    assertThat(ReplyPrinter.format("X", new RespValue.Error("ERR nope")))
        .isEqualTo("(error) ERR nope");
    assertThat(ReplyPrinter.format("ECHO", bulk("hi"))).isEqualTo("\"hi\"");
    assertThat(ReplyPrinter.format("GETDEL", bulk(null))).isEqualTo("(nil)");
  }

  @Test
  void arraysAreNumberedAndNested() {
    RespValue reply =
        new RespValue.Array(
            Arrays.asList(
                bulk("a"),
                bulk(null),
                new RespValue.Array(List.of(bulk("x"), new RespValue.Int(2)))));
    assertThat(ReplyPrinter.format("MGET", reply))
        .isEqualTo("1) \"a\"\n2) (nil)\n3) 1) \"x\"\n   2) (integer) 2");
    assertThat(ReplyPrinter.format("KEYS", new RespValue.Array(List.of())))
        .isEqualTo("(empty array)");
    List<RespValue> ten = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(new RespValue.Int(i));
    }
    assertThat(ReplyPrinter.format("X", new RespValue.Array(ten)))
        .startsWith(" 1) (integer) 0\n")
        .endsWith("\n10) (integer) 9");
  }

  @Test
  void infoPrintsAsText() {
    assertThat(ReplyPrinter.format("info", bulk("# Server\r\nkvdb_version:1\r\n")))
        .isEqualTo("# Server\nkvdb_version:1");
  }

  @Test
  void unprintableBytesAreEscaped() {
    assertThat(
            ReplyPrinter.format("ECHO", new RespValue.Bulk(new byte[] {'a', 0, (byte) 0xff, '\n'})))
        .isEqualTo("\"a\\x00\\xff\\x0a\"");
    assertThat(ReplyPrinter.format("GET", bulk("line1\nline2 \"q\"")))
        .isEqualTo("Value: line1\\nline2 \"q\"");
    assertThat(ReplyPrinter.format("ECHO", bulk("héllo"))).isEqualTo("\"héllo\"");
  }
}
