package io.kvdb.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.ChildServer;
import io.kvdb.server.testing.Info;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * A soak (hostile-input issue): mixed load with connection churn against a child server for a
 * minute, then the server's heap after a full GC, its file descriptors and its threads are compared
 * with what they were after warm-up: none may grow. {@code -Dkvdb.soakSeconds=600} for ten minutes;
 * the figures of a run are printed and kept in docs/reliability.md.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SoakTest {
  @TempDir Path dir;

  record Usage(long heap, long fds, long threads) {}

  static Usage usage(long pid, int port) throws Exception {
    Process gc = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").start();
    assertThat(gc.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long heap;
    try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
      heap = Info.parse(j.info("memory")).number("heap_used");
    }
    long fds;
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      fds = s.count();
    }
    long threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Threads:")) {
        threads = Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    return new Usage(heap, fds, threads);
  }

  /** Lets the load run this long (its duration, not a wait for a condition), or until a failure. */
  private static void runFor(long seconds, AtomicReference<Throwable> failure) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end && failure.get() == null) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  @Test
  void nothingGrowsUnderALongMixedLoad() throws Exception {
    long seconds = Long.getLong("kvdb.soakSeconds", 60);
    Path cfg =
        ChildServer.config(
            dir.resolve("c.yaml"),
            dir.resolve("data"),
            "  max_segment_size: 1mb",
            "  snapshot_threshold: 4mb");
    try (ChildServer server = ChildServer.start(cfg, "-Xmx256m")) {
      int port = server.port();
      long pid = server.process().pid();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong ops = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        long seed = c;
        Thread t =
            new Thread(
                () -> {
                  Random r = new Random(seed);
                  while (!stop.get()) {
                    // A connection lives for a few hundred commands, then a new one: churn.
                    try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                      for (int i = 0; i < 200 + r.nextInt(400) && !stop.get(); i++) {
                        String k = "k" + r.nextInt(10_000);
                        switch (r.nextInt(8)) {
                          case 0, 1 -> j.set(k, "v".repeat(r.nextInt(200)));
                          case 2 -> j.get(k);
                          case 3 -> j.del(k);
                          case 4 -> j.setex(k, 1 + r.nextInt(3), "short-lived");
                          case 5 -> j.mset(k, "a", k + ":2", "b");
                          case 6 -> j.incr("n" + r.nextInt(100));
                          default -> {
                            Transaction t2 = j.multi();
                            t2.set(k, "m");
                            t2.get(k);
                            t2.exec();
                          }
                        }
                        ops.incrementAndGet();
                      }
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                      return;
                    }
                  }
                },
                "soak-client");
        clients.add(t);
        t.start();
      }
      long warmUp = Math.max(5, seconds / 6);
      runFor(warmUp, failure);
      Usage before = usage(pid, port);
      runFor(seconds - warmUp, failure);
      Usage after = usage(pid, port);
      stop.set(true);
      for (Thread t : clients) {
        t.join(30_000);
      }
      assertThat(failure.get()).as("a client failed").isNull();
      String report =
          String.format(
              "soak %d s, %d ops: heap after GC %d -> %d KiB, fds %d -> %d, threads %d -> %d",
              seconds,
              ops.get(),
              before.heap() >> 10,
              after.heap() >> 10,
              before.fds(),
              after.fds(),
              before.threads(),
              after.threads());
      System.out.println(report);
      assertThat(after.fds()).as(report).isLessThanOrEqualTo(before.fds() + 8);
      assertThat(after.threads()).as(report).isLessThanOrEqualTo(before.threads() + 4);
      assertThat(after.heap()).as(report).isLessThan(before.heap() + before.heap() / 2 + (8 << 20));
      assertThat(ops.get()).isGreaterThan(1000);
    }
  }
}
