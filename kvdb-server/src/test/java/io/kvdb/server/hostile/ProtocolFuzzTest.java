package io.kvdb.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.connection.ConnectionState;
import io.kvdb.server.netty.ProtocolError;
import io.kvdb.server.netty.RespRequestDecoder;
import io.kvdb.server.testing.Info;
import io.kvdb.server.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * A seeded protocol fuzzer (hostile-input issue: fuzzing in CI). Valid requests, RESP and inline,
 * are mutated — flipped and inserted bytes, cut lines, huge, negative and non-numeric lengths,
 * nested arrays — and fed split at random byte boundaries. The decoder may answer only requests or
 * one protocol error, never throw, never allocate more than what arrived allows; the server behind
 * it stays up and serves a well-behaved client throughout.
 *
 * <p>{@code -Dkvdb.fuzzCases=N} (default 100,000 for the decoder, a tenth over the network) and
 * {@code -Dkvdb.fuzzSeed=S} reproduce or extend a run; a failure names its seed and case.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProtocolFuzzTest {
  private static final String[][] COMMANDS = {
    {"GET", "k"},
    {"SET", "k", "v"},
    {"SET", "k", "v", "EX", "100"},
    {"MSET", "a", "1", "b", "2"},
    {"MGET", "a", "b", "c"},
    {"INCR", "n"},
    {"DEL", "a", "b"},
    {"PING"},
    {"ECHO", "hello world"},
    {"EXPIRE", "k", "10"},
    {"SETRANGE", "k", "5", "xyz"},
    {"GETRANGE", "k", "0", "-1"},
    {"SETBIT", "bits", "7", "1"},
    {"BITCOUNT", "bits"},
    {"KEYS", "*"},
    {"SCAN", "0", "MATCH", "a*", "COUNT", "10"},
    {"MULTI"},
    {"EXEC"},
    {"CLIENT", "SETNAME", "fuzz"},
    {"CONFIG", "GET", "maxmemory"},
    {"HELLO", "2"},
    {"AUTH", "nopass"},
    {"INFO", "stats"},
    {"LCS", "a", "b"},
    {"INCRBYFLOAT", "f", "1.5e3"},
  };

  private static final String[] LENGTHS = {
    "-1",
    "-2",
    "0",
    "1048576",
    "1048577",
    "2147483648",
    "9223372036854775807",
    "99999999999999999999",
    "abc",
    "",
    " 3",
    "3 ",
    "+3",
    "0x10",
    "1e3"
  };

  static byte[] request(Random r) {
    String[] cmd = COMMANDS[r.nextInt(COMMANDS.length)];
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (r.nextInt(4) == 0) { // inline, with quoting now and then
      StringBuilder line = new StringBuilder();
      for (String a : cmd) {
        line.append(r.nextInt(5) == 0 ? "\"" + a + "\"" : a).append(' ');
      }
      b.writeBytes(line.toString().trim().getBytes(StandardCharsets.UTF_8));
      b.writeBytes(r.nextBoolean() ? "\r\n".getBytes() : "\n".getBytes());
    } else {
      b.writeBytes(("*" + cmd.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String a : cmd) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        b.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(x);
        b.writeBytes("\r\n".getBytes());
      }
    }
    return b.toByteArray();
  }

  /** One to four mutations of a valid request, or now and then none. */
  static byte[] mutate(byte[] in, Random r) {
    byte[] b = in;
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(7)) {
        case 0 -> { // flip a byte
          b = b.clone();
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        case 1 -> { // insert random bytes
          byte[] junk = new byte[1 + r.nextInt(8)];
          r.nextBytes(junk);
          b = splice(b, r.nextInt(b.length + 1), 0, junk);
        }
        case 2 -> { // cut a piece out
          int at = r.nextInt(b.length);
          b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(6)), new byte[0]);
        }
        case 3 -> { // replace a declared length
          int at = indexOfAny(b, r, (byte) '*', (byte) '$');
          if (at >= 0) {
            int end = at + 1;
            while (end < b.length && b[end] != '\r' && b[end] != '\n') {
              end++;
            }
            byte[] len = LENGTHS[r.nextInt(LENGTHS.length)].getBytes(StandardCharsets.US_ASCII);
            b = splice(b, at + 1, end - at - 1, len);
          }
        }
        case 4 -> { // nest an array where a bulk was expected
          int at = indexOfAny(b, r, (byte) '$');
          if (at >= 0) {
            b = splice(b, at, 0, "*2\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        }
        case 5 -> { // an unbalanced quote in an inline request
          b = splice(b, r.nextInt(b.length + 1), 0, new byte[] {'"'});
        }
        default -> { // a second request glued on
          b = splice(b, b.length, 0, request(r));
        }
      }
      if (b.length == 0) {
        b = new byte[] {'\n'};
      }
    }
    return b;
  }

  private static int indexOfAny(byte[] b, Random r, byte... wanted) {
    int start = r.nextInt(b.length);
    for (int i = 0; i < b.length; i++) {
      byte c = b[(start + i) % b.length];
      for (byte w : wanted) {
        if (c == w) {
          return (start + i) % b.length;
        }
      }
    }
    return -1;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }

  static String escape(byte[] b) {
    StringBuilder out = new StringBuilder();
    for (byte c : b) {
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        out.append((char) c);
      } else {
        out.append(String.format("\\x%02x", c & 0xff));
      }
    }
    return out.toString();
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void theDecoderAnswersRequestsOrOneErrorAndAllocatesWhatArrived() {
    int cases = Integer.getInteger("kvdb.fuzzCases", 100_000);
    long seed = Long.getLong("kvdb.fuzzSeed", System.nanoTime());
    Random r = new Random(seed);
    long requests = 0;
    long errors = 0;
    for (int i = 0; i < cases; i++) {
      String where = "seed " + seed + ", case " + i;
      byte[] input = mutate(request(r), r);
      boolean authenticated = r.nextInt(4) != 0;
      EmbeddedChannel ch =
          new EmbeddedChannel(
              new RespRequestDecoder(
                  new ConnectionState(1, null, authenticated), 512L << 20, () -> 1L << 30));
      // Unpooled: the pooled allocator's first chunk (megabytes, once per thread) is not this
      // input's doing.
      ch.config().setAllocator(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
      long before = allocated();
      int pos = 0;
      while (pos < input.length) { // split at random boundaries
        int n = 1 + r.nextInt(input.length - pos);
        ch.writeInbound(Unpooled.wrappedBuffer(input, pos, n));
        pos += n;
      }
      long used = allocated() - before;
      // Memory follows what arrived: a few KiB of fixed cost plus a small multiple of the input
      // (measured once the code is warm: class loading and compilation allocate too).
      if (i >= 2_000) {
        assertThat(used)
            .as("%s: bytes allocated for %d bytes of input", where, input.length)
            .isLessThan(64 * 1024 + 64L * input.length);
      }
      boolean failed = false;
      Object out;
      while ((out = ch.readInbound()) != null) {
        assertThat(failed).as("%s: output after a protocol error", where).isFalse();
        if (out instanceof ProtocolError e) {
          assertThat(e.message()).as(where).startsWith("ERR Protocol error");
          failed = true;
          errors++;
        } else {
          assertThat(out).as(where).isInstanceOf(byte[][].class);
          assertThat(((byte[][]) out).length) // rows: a request of one empty argument is one
              .as("%s: input %s", where, escape(input))
              .isPositive();
          requests++;
        }
      }
      ch.finishAndReleaseAll();
    }
    // The mutations must reach both outcomes often, or the fuzzer tests little.
    assertThat(requests).as("requests decoded").isGreaterThan(cases / 10);
    assertThat(errors).as("protocol errors").isGreaterThan(cases / 10);
  }

  @Test
  void theServerStaysUpAndServesOthersUnderFuzzedConnections() throws Exception {
    int cases = Integer.getInteger("kvdb.fuzzCases", 100_000) / 10;
    long seed = Long.getLong("kvdb.fuzzSeed", System.nanoTime());
    Random r = new Random(seed);
    try (TestServer s = TestServer.inMemory();
        Jedis good = s.jedis()) {
      long slowest = 0;
      for (int i = 0; i < cases; i++) {
        try (Socket c = new Socket("127.0.0.1", s.port())) {
          c.setSoTimeout(2_000);
          OutputStream out = c.getOutputStream();
          try {
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
              out.write(mutate(request(r), r));
            }
            c.shutdownOutput();
          } catch (IOException closedByServer) {
            // a protocol error closed it before all of it went out
          }
          InputStream in = c.getInputStream();
          byte[] buf = new byte[8192];
          try {
            while (in.read(buf) != -1) {
              // replies, then the server closes (protocol error or end of input)
            }
          } catch (java.net.SocketTimeoutException e) {
            // a request that waits for more (a declared bulk never sent): we leave
          } catch (IOException reset) {
            // closed with input unread
          }
        }
        if (i % 100 == 0) {
          long start = System.nanoTime();
          assertThat(good.ping()).as("seed %d, case %d", seed, i).isEqualTo("PONG");
          slowest = Math.max(slowest, System.nanoTime() - start);
        }
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("slowest PING, ms").isLessThan(1_000);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> Info.parse(good.info("clients")).number("connected_clients") == 1);
    }
  }
}
