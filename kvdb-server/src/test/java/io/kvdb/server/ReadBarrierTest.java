package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.server.testing.TestServer;
import io.kvdb.server.testing.TestServer.RawClient;
import io.kvdb.wal.WalFaults;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Under {@code fsync: always} no reply reveals a write a crash could take back: a read's reply
 * waits until what it may show is durable (a promise of the write path that had no test).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadBarrierTest {
  @TempDir Path dir;

  @Test
  void aReadOfAWriteWaitingForItsFsyncIsAnsweredOnlyOnceItIsDurable() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean shut =
        new java.util.concurrent.atomic.AtomicBoolean();
    WalFaults disk =
        new WalFaults() {
          @Override
          public void beforeSync(Path segment) {
            if (shut.get()) {
              stalled.countDown();
              try {
                gate.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    try (TestServer s = TestServer.startWithWal(TestServer.durable(dir), w -> w.faults(disk));
        Jedis writer = s.jedis();
        RawClient reader = s.raw()) {
      writer.set("k", "durable");
      shut.set(true);
      CompletableFuture<String> set =
          CompletableFuture.supplyAsync(
              () -> {
                try (Jedis j = s.jedis()) {
                  return j.set("k", "pending");
                }
              });
      assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
      reader.send("GET k\r\n");
      reader.socket().setSoTimeout(1_000);
      // The value in memory is "pending", whose fsync has not returned: no reply may show it yet.
      assertThatThrownBy(reader::line).isInstanceOf(SocketTimeoutException.class);
      shut.set(false);
      gate.countDown();
      reader.socket().setSoTimeout(10_000);
      assertThat(reader.line()).isEqualTo("$7");
      assertThat(reader.line()).isEqualTo("pending");
      assertThat(set.get(10, TimeUnit.SECONDS)).isEqualTo("OK");
    }
  }
}
