package io.kvdb.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.connection.ConnectionState;
import io.kvdb.server.netty.ProtocolError;
import io.kvdb.server.netty.RespRequestDecoder;
import io.kvdb.server.testing.ChildServer;
import io.kvdb.server.testing.Info;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The inputs that wedged the server for good (hostile-input issue, defects 1 and 2), each against a
 * child JVM with a small heap, where the old code ran out of memory and never served anyone again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WedgeRegressionTest {
  @TempDir Path dir;

  /** Bytes allocated by this thread so far (HotSpot's per-thread allocation counter). */
  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void aMultibulkHeaderAllocatesWhatArrivedNotWhatItDeclares() {
    EmbeddedChannel ch =
        new EmbeddedChannel(new RespRequestDecoder(new ConnectionState(1, null, true), 512 << 20));
    ch.writeInbound(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n", StandardCharsets.US_ASCII));
    assertThat((byte[][]) ch.readInbound()).hasNumberOfRows(1); // warmed up
    long before = allocated();
    ch.writeInbound(Unpooled.copiedBuffer("*1048576\r\n", StandardCharsets.US_ASCII));
    long used = allocated() - before;
    // The old decoder allocated the whole 1M-slot array (4 MiB or more) for these 11 bytes.
    assertThat(used).isLessThan(64 * 1024);
    ch.finishAndReleaseAll();

    // The array grows as arguments arrive, and the request is still read whole and in order.
    ch = new EmbeddedChannel(new RespRequestDecoder(new ConnectionState(1, null, true), 512 << 20));
    StringBuilder b = new StringBuilder("*3000\r\n");
    for (int i = 0; i < 3000; i++) {
      String a = Integer.toString(i);
      b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
    }
    ch.writeInbound(Unpooled.copiedBuffer(b.toString(), StandardCharsets.US_ASCII));
    byte[][] argv = ch.readInbound();
    assertThat(argv).hasNumberOfRows(3000);
    for (int i = 0; i < 3000; i += 997) {
      assertThat(new String(argv[i], StandardCharsets.US_ASCII)).isEqualTo(Integer.toString(i));
    }
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void theQueryBufferLimitClosesAClientThatSendsMoreThanIt() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new RespRequestDecoder(new ConnectionState(1, null, true), 512 << 20, () -> 1 << 20));
    ch.writeInbound(
        Unpooled.copiedBuffer("*2\r\n$3\r\nGET\r\n$4000000\r\n", StandardCharsets.US_ASCII));
    assertThat((Object) ch.readInbound()).isNull(); // waiting for the bulk's bytes
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[(1 << 20) + 1]));
    ProtocolError e = ch.readInbound();
    assertThat(e.message()).contains("client-query-buffer-limit");
    ch.finishAndReleaseAll();
  }

  @Test
  void hugeMultibulkHeadersOnManyConnectionsDoNotWedgeTheServer() throws Exception {
    Path cfg = ChildServer.config(dir.resolve("c.yaml"), dir.resolve("data"));
    try (ChildServer server = ChildServer.start(cfg, "-Xmx96m")) {
      List<Socket> attackers = new ArrayList<>();
      try {
        byte[] header = "*1048576\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 300; i++) { // 300 x 4 MiB declared: ~12 times the heap
          Socket s = new Socket("127.0.0.1", server.port());
          s.getOutputStream().write(header);
          attackers.add(s);
        }
        try (Jedis j = new Jedis("127.0.0.1", server.port(), 5_000)) {
          assertThat(j.ping()).isEqualTo("PONG");
          j.set("k", "v");
          assertThat(j.get("k")).isEqualTo("v");
        }
      } finally {
        for (Socket s : attackers) {
          s.close();
        }
      }
      try (Jedis j = new Jedis("127.0.0.1", server.port(), 5_000)) {
        assertThat(j.get("k")).isEqualTo("v");
      }
    }
  }

  @Test
  void pipelinedBigRepliesToAClientThatNeverReadsAreCutAtTheOutputLimit() throws Exception {
    Path cfg = dir.resolve("c.yaml");
    Files.writeString(
        cfg,
        "network:\n  port: 0\n  max_output_buffer: 8mb\nlogging:\n  level: info\n"
            + "wal:\n  data_directory: "
            + dir.resolve("data")
            + "\nreplication:\n  master_port: 0\n");
    try (ChildServer server = ChildServer.start(cfg, "-Xmx256m", "-XX:MaxDirectMemorySize=256m")) {
      try (Jedis j = new Jedis("127.0.0.1", server.port(), 5_000)) {
        j.set("big".getBytes(), new byte[1 << 20]);
      }
      StringBuilder gets = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        gets.append("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
      }
      byte[] pipeline = gets.toString().getBytes(StandardCharsets.US_ASCII);
      assertThat(pipeline.length).isLessThan(140_000); // 5 GB of replies asked for
      try (Socket lazy = new Socket()) {
        lazy.setReceiveBufferSize(4096);
        lazy.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
        lazy.getOutputStream().write(pipeline);
        // Other clients are served while it does not read ...
        try (Jedis j = new Jedis("127.0.0.1", server.port(), 5_000)) {
          assertThat(j.ping()).isEqualTo("PONG");
          org.awaitility.Awaitility.await()
              .atMost(java.time.Duration.ofSeconds(20))
              .until(
                  () ->
                      Info.parse(j.info("stats"))
                              .number("client_output_buffer_limit_disconnections")
                          == 1);
          assertThat(j.strlen("big")).isEqualTo(1 << 20);
        }
        // ... and it received no more than the limit, a reply and the kernel's buffers, then EOF.
        long received = drain(lazy);
        assertThat(received).isLessThan(32L << 20);
      }
      assertThat(server.log()).filteredOn(l -> l.contains("client-output-buffer-limit")).hasSize(1);
    }
  }

  /** Reads to the end of the stream (or a reset) and returns the byte count. */
  private static long drain(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[1 << 16];
    long n = 0;
    try {
      for (int r; (r = in.read(buf)) != -1; ) {
        n += r;
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open after " + n + " bytes", e);
    } catch (SocketException reset) {
      // the server closed with unread input: a reset ends the stream too
    }
    return n;
  }
}
