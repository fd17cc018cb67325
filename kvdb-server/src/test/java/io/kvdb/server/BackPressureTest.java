package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.testing.TestServer;
import io.kvdb.wal.WalFaults;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A disk that stalls while a client pipelines writes without reading: the server stops reading that
 * client once the log holds {@code wal.max_pending_bytes}, so its heap stays bounded (the issue saw
 * 3.4 GB for a 2 MB dataset); other clients' reads are still answered; and once the disk is back
 * every write is acknowledged and present.
 */
class BackPressureTest {
  private static final long LIMIT = 4L << 20;
  private static final int VALUE = 2048;
  private static final int WRITES = 60_000; // 120 MB of SETs over 1,000 keys

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aStalledDiskStopsReadingWritersNotTheHeapAndNotOtherReaders() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch stalled = new CountDownLatch(1);
    WalFaults stallingDisk =
        new WalFaults() {
          @Override
          public void beforeSync(Path segment) {
            stalled.countDown();
            try {
              gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    ServerConfig cfg = TestServer.durable(dir);
    cfg = cfg.withWal(cfg.wal().withFsync("everysec").withMaxPendingBytes(LIMIT));
    try (TestServer s = TestServer.startWithWal(cfg, wal -> wal.faults(stallingDisk));
        Jedis other = s.jedis()) {
      other.set("other", "still here");
      long heapBefore = usedHeapAfterGc();
      AtomicLong sent = new AtomicLong();
      AtomicLong replies = new AtomicLong();
      try (Socket pipeliner = new Socket("127.0.0.1", s.port())) {
        pipeliner.setSoTimeout(90_000);
        CompletableFuture<Void> writer =
            CompletableFuture.runAsync(() -> pipeline(pipeliner, sent), r -> new Thread(r).start());
        CompletableFuture<Void> reader =
            CompletableFuture.runAsync(
                () -> countReplies(pipeliner, replies), r -> new Thread(r).start());
        assertThat(stalled.await(20, TimeUnit.SECONDS)).isTrue();
        var wal = s.server().context().wal();
        // The log fills to its limit; then the server stops reading the pipelining client, whose
        // writes back up in the socket buffers: the sender blocks, far short of 60,000.
        await().atMost(Duration.ofSeconds(20)).until(() -> wal.pendingBytes() >= LIMIT);
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> s.server().context().stats().readPauses.sum() > 0);
        // Then nothing moves: the sender is blocked on a full socket, no reply comes (nothing more
        // is written), and the log stays at its limit (plus at most the one SET that crossed it).
        long[] last = {-1, -1};
        await()
            .during(Duration.ofMillis(700))
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> {
                  boolean still = sent.get() == last[0] && replies.get() == last[1];
                  last[0] = sent.get();
                  last[1] = replies.get();
                  return still && wal.pendingBytes() <= LIMIT + VALUE + 200;
                });
        long sentWhenPaused = sent.get();
        assertThat(sentWhenPaused).isLessThan(WRITES);
        // Other clients are served: everysec reads do not wait for the disk.
        assertThat(other.get("other")).isEqualTo("still here");
        assertThat(other.ping()).isEqualTo("PONG");
        long heapDuring = usedHeapAfterGc();
        assertThat(heapDuring - heapBefore)
            .as("heap growth while %d of %d SETs were sent", sentWhenPaused, WRITES)
            .isLessThan(48L << 20);

        gate.countDown(); // the disk is back
        writer.get(60, TimeUnit.SECONDS);
        reader.get(60, TimeUnit.SECONDS);
      }
      assertThat(replies.get()).isEqualTo(WRITES);
      for (int k = 0; k < 1000; k += 97) {
        String v = other.get("key:" + k);
        assertThat(v).hasSize(VALUE).startsWith(Integer.toString(WRITES - 1000 + k) + ";");
      }
    } finally {
      gate.countDown();
    }
  }

  private static void pipeline(Socket socket, AtomicLong sent) {
    try {
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      for (int i = 0; i < WRITES; i++) {
        String key = "key:" + (i % 1000);
        String head = i + ";";
        String value = head + "x".repeat(VALUE - head.length());
        out.write(
            ("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + VALUE + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(value.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
        sent.incrementAndGet();
      }
      out.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void countReplies(Socket socket, AtomicLong replies) {
    try {
      InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
      byte[] ok = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
      while (replies.get() < WRITES) {
        for (byte b : ok) {
          int c = in.read();
          if (c != b) {
            throw new IOException("unexpected reply byte " + c + " after " + replies.get());
          }
        }
        replies.incrementAndGet();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
