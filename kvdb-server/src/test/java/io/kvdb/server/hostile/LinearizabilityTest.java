package io.kvdb.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.ChildServer;
import io.kvdb.server.testing.RegisterChecker;
import io.kvdb.server.testing.RegisterChecker.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Linearizability over the network, with crashes (hostile-input issue): concurrent clients read and
 * write a few keys of a server in a child JVM ({@code fsync: always}), which is SIGKILLed and
 * restarted twice in the middle; every operation's invocation and response are recorded (one clock,
 * this JVM's), an operation cut by a crash has no response, and each key's history must be
 * linearizable against a register ({@link RegisterChecker}). Across the kills this is also the
 * durability promise: a read may never go back to a value older than an acknowledged write.
 *
 * <p>{@code -Dkvdb.linOps=N} operations per client (default 1,500 with 4 clients).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LinearizabilityTest {
  private static final int CLIENTS = 4;
  private static final int KEYS = 4;

  @TempDir Path dir;

  @Test
  void historiesOfConcurrentClientsAcrossKillsAreLinearizable() throws Exception {
    int perClient = Integer.getInteger("kvdb.linOps", 1_500);
    Path cfg = ChildServer.config(dir.resolve("c.yaml"), dir.resolve("data"));
    Map<String, List<Op>> history = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      history.put("lin" + k, Collections.synchronizedList(new ArrayList<>()));
    }
    int[] port = {0};
    ChildServer[] server = {ChildServer.start(cfg)};
    port[0] = server[0].port();
    AtomicInteger done = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int id = c;
      Thread t =
          new Thread(
              () -> {
                Random r = new Random(id);
                Jedis j = null;
                for (int i = 0; i < perClient; i++) {
                  String key = "lin" + r.nextInt(KEYS);
                  boolean write = r.nextBoolean();
                  String value = "c" + id + "-" + i;
                  long start = System.nanoTime();
                  try {
                    if (j == null) {
                      j = new Jedis("127.0.0.1", port[0], 5_000);
                    }
                    String got;
                    if (write) {
                      j.set(key, value);
                      got = value;
                    } else {
                      got = j.get(key);
                    }
                    history.get(key).add(new Op(write, got, start, System.nanoTime()));
                  } catch (RuntimeException cut) {
                    // Killed under us: the write may or may not have happened; a read says nothing.
                    history.get(key).add(new Op(write, write ? value : null, start, Op.NEVER));
                    if (j != null) {
                      j.close();
                      j = null;
                    }
                    awaitRestart();
                  }
                }
                if (j != null) {
                  j.close();
                }
                done.incrementAndGet();
              },
              "lin-client");
      clients.add(t);
      t.start();
    }
    try {
      for (int kill = 0; kill < 2; kill++) {
        waitForOps(history, (kill + 1) * perClient * CLIENTS / 3);
        server[0].signal("KILL");
        assertThat(server[0].awaitExit(30)).isEqualTo(137);
        server[0].close();
        server[0] = ChildServer.start(cfg);
        port[0] = server[0].port();
        restarted();
      }
      for (Thread t : clients) {
        t.join(120_000);
        assertThat(t.isAlive()).as("a client still running").isFalse();
      }
    } finally {
      server[0].close();
    }
    assertThat(done.get()).isEqualTo(CLIENTS);
    long checked = 0;
    for (var e : history.entrySet()) {
      List<Op> ops = List.copyOf(e.getValue());
      checked += ops.size();
      assertThat(RegisterChecker.linearizable(null, ops))
          .as("key %s: %d operations linearizable", e.getKey(), ops.size())
          .isTrue();
    }
    assertThat(checked).isEqualTo((long) CLIENTS * perClient);
    System.out.println("linearizability: " + checked + " operations checked, 2 kills, 0 anomalies");
  }

  private static final Object RESTART = new Object();
  private static int generation;

  private static void restarted() {
    synchronized (RESTART) {
      generation++;
      RESTART.notifyAll();
    }
  }

  /** A client that lost its server waits until the next one is up (bounded). */
  private static void awaitRestart() {
    synchronized (RESTART) {
      int g = generation;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (generation == g && System.nanoTime() < end) {
        try {
          RESTART.wait(1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void waitForOps(Map<String, List<Op>> history, int n) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(120))
        .until(() -> history.values().stream().mapToInt(List::size).sum() >= n);
  }
}
