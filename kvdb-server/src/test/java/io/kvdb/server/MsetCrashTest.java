package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.core.internal.ShardedKvStore;
import io.kvdb.server.testing.ChildServer;
import io.kvdb.wal.SegmentedWal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The crash: a real server in a child JVM ({@code fsync: always}, small segments and
 * snapshot threshold, so recovery goes through snapshots too) serves 4 clients writing 3,000 keys
 * of their own per generation — two with MSET, two with MULTI, 3,000 SETs, EXEC — and 2 clients
 * doing small SETs; it is SIGKILLed at a random moment and restarted, five times. After every
 * restart each MSET client's keys hold one generation — the last acknowledged one, or the one that
 * was in flight — and each SET key its last acknowledged value or the one in flight. Before, one
 * record per key let a crash keep half an MSET.
 */
class MsetCrashTest {
  private static final int CYCLES = 5;
  private static final int MSET_CLIENTS = 4;
  private static final int KEYS = 3000;
  private static final int SET_CLIENTS = 2;

  @TempDir Path dir;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void noMsetOrTransactionIsEverPartlyPresentAfterAKill() throws Exception {
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    Path data = dir.resolve("data");
    int[] msetGen =
        new int[MSET_CLIENTS]; // what the store held for each client after the last cycle
    long[] setSeq = new long[SET_CLIENTS];
    java.util.Arrays.fill(msetGen, -1);
    java.util.Arrays.fill(setSeq, -1);
    long snapshotsSeen = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Path config =
          ChildServer.config(
              dir.resolve("config-" + cycle + ".yaml"),
              data,
              "  max_segment_size: 256kb",
              "  snapshot_threshold: 2mb");
      ChildServer server = ChildServer.start(config);
      int port = server.port();
      AtomicIntegerArray ackedGen = new AtomicIntegerArray(MSET_CLIENTS);
      AtomicLong[] ackedSeq = new AtomicLong[SET_CLIENTS];
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      try {
        int generationBase = (cycle + 1) * 1_000_000;
        for (int c = 0; c < MSET_CLIENTS; c++) {
          int id = c;
          ackedGen.set(c, msetGen[c]);
          clients.add(run(() -> msetLoop(port, id, generationBase, ackedGen)));
        }
        for (int c = 0; c < SET_CLIENTS; c++) {
          int id = c;
          ackedSeq[c] = new AtomicLong(setSeq[c]);
          clients.add(run(() -> setLoop(port, id, generationBase, ackedSeq[id])));
        }
        int acksBeforeKill = 5 + random.nextInt(40);
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> msetAcks(ackedGen, generationBase) >= acksBeforeKill);
      } finally {
        server.signal("KILL");
      }
      assertThat(server.awaitExit(30)).as("killed by SIGKILL").isEqualTo(137);
      for (CompletableFuture<Void> c : clients) {
        // They end on the dropped connection, and on nothing else (an assertion in a client
        // thread must fail the test, not vanish with the thread).
        Throwable e = c.handle((v, x) -> x).get(30, TimeUnit.SECONDS);
        Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        if (cause != null
            && !(cause instanceof redis.clients.jedis.exceptions.JedisConnectionException)) {
          throw new AssertionError("a client failed: " + cause, cause);
        }
      }

      try (KvStore store =
          KvStore.builder().wal(SegmentedWal.builder().directory(data).build()).build()) {
        snapshotsSeen += ((ShardedKvStore) store).recoveryReport().snapshotLsn() > 0 ? 1 : 0;
        for (int c = 0; c < MSET_CLIENTS; c++) {
          Set<String> gens = new HashSet<>();
          for (int k = 0; k < KEYS; k++) {
            String v = store.get("m" + c + ":" + k);
            gens.add(v == null ? "-1" : v.substring(0, v.indexOf(';')));
          }
          assertThat(gens)
              .as("client %d, cycle %d, seed %d: one generation", c, cycle, seed)
              .hasSize(1);
          int gen = Integer.parseInt(gens.iterator().next());
          int acked = ackedGen.get(c);
          assertThat(gen == acked || gen == nextGen(acked, generationBase(cycle)))
              .as("client %d: found generation %d, acknowledged %d (seed %d)", c, gen, acked, seed)
              .isTrue();
          msetGen[c] = gen;
        }
        for (int c = 0; c < SET_CLIENTS; c++) {
          String v = store.get("s" + c);
          long found = v == null ? -1 : Long.parseLong(v);
          long acked = ackedSeq[c].get();
          assertThat(found == acked || found == nextGen(acked, generationBase(cycle)))
              .as("SET client %d: found %d, acknowledged %d (seed %d)", c, found, acked, seed)
              .isTrue();
          setSeq[c] = found;
        }
      }
    }
    assertThat(snapshotsSeen).as("recoveries that started from a snapshot").isPositive();
  }

  private static int generationBase(int cycle) {
    return (cycle + 1) * 1_000_000;
  }

  /** The generation a client writes after {@code acked}: the next one, or this cycle's first. */
  private static long nextGen(long acked, int base) {
    return acked < base ? base : acked + 1;
  }

  private static long msetAcks(AtomicIntegerArray acked, int base) {
    long n = 0;
    for (int c = 0; c < acked.length(); c++) {
      n += acked.get(c) >= base ? acked.get(c) - base + 1 : 0;
    }
    return n;
  }

  private static void msetLoop(int port, int id, int base, AtomicIntegerArray acked) {
    String pad = "p".repeat(80);
    try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
      for (int gen = base; ; gen++) {
        String[] kv = new String[KEYS * 2];
        for (int k = 0; k < KEYS; k++) {
          kv[2 * k] = "m" + id + ":" + k;
          kv[2 * k + 1] = gen + ";" + pad;
        }
        if (id % 2 == 0) {
          j.mset(kv);
        } else {
          // The same generation as a transaction of single SETs: also one record in the log.
          redis.clients.jedis.Transaction t = j.multi();
          for (int k = 0; k < KEYS; k++) {
            t.set(kv[2 * k], kv[2 * k + 1]);
          }
          assertThat(t.exec()).hasSize(KEYS);
        }
        acked.set(id, gen);
      }
    }
  }

  private static void setLoop(int port, int id, int base, AtomicLong acked) {
    try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
      long seq = acked.get() < base ? base : acked.get() + 1;
      for (; ; seq++) {
        j.set("s" + id, Long.toString(seq));
        acked.set(seq);
      }
    }
  }

  private static CompletableFuture<Void> run(Runnable r) {
    return CompletableFuture.runAsync(r, task -> new Thread(task).start());
  }
}
