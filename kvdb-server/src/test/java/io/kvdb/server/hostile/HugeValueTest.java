package io.kvdb.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.ChildServer;
import io.kvdb.server.testing.RespWire;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that would build a value larger than the server can hold answers an error and keeps the
 * connection (hostile-input issue, item 8: {@code SETRANGE k 536870911 x} or {@code SETBIT k
 * 4294967295 1} on a 1 GiB heap closed the connection without a reply; a huge offset surfaced
 * {@code ArrayIndexOutOfBoundsException}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HugeValueTest {
  @TempDir Path dir;

  private static final String OOM =
      "-OOM command not allowed when used memory > 'maxmemory'.\\r\\n";

  @Test
  void valuesTooLargeForTheHeapAnswerOomAndTheClientStays() throws Exception {
    Path cfg = ChildServer.config(dir.resolve("c.yaml"), dir.resolve("data"));
    try (ChildServer server = ChildServer.start(cfg, "-Xmx256m");
        RespWire c = RespWire.connect(server.port())) {
      // Over maxmemory (75% of the heap): refused before anything is allocated.
      assertThat(c.call("SETRANGE", "k", "400000000", "x")).isEqualTo(OOM);
      assertThat(c.call("SETBIT", "k", "4294967295", "1")).isEqualTo(OOM);
      assertThat(c.call("APPEND", "k", "small")).isEqualTo(":5\\r\\n");
      // Within maxmemory but not within what the heap can hold: refused too.
      assertThat(c.call("CONFIG", "SET", "maxmemory", "100gb")).isEqualTo("+OK\\r\\n");
      assertThat(c.call("SETRANGE", "k", "500000000", "x")).isEqualTo(OOM);
      assertThat(c.call("SETBIT", "k", "4294967295", "1")).isEqualTo(OOM);
      assertThat(c.call("GET", "k")).isEqualTo("$5\\r\\nsmall\\r\\n");
      assertThat(c.call("PING")).isEqualTo("+PONG\\r\\n");
    }
  }
}
