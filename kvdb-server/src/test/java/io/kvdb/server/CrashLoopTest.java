package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.ChildServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * SIGKILL loops in every fsync mode (hostile-input issue: crash loops). Clients run SET, DEL,
 * SETNX, EXPIRE, INCR, MSET and MULTI/EXEC against a server in a child JVM, each on keys of its
 * own, keeping a model of what was acknowledged and of the one request in flight; the server is
 * killed at a random moment and restarted on the same data. The oracle accepts, for every key, only
 * the acknowledged value or the in-flight write's, every MSET and EXEC whole, every counter equal
 * to its acknowledged increments (plus the one in flight). A process kill loses nothing
 * acknowledged in any mode: the README promises it ({@code everysec} and {@code never} hand the
 * write to the OS before acknowledging).
 *
 * <p>{@code -Dkvdb.crashCycles=N} runs N cycles per mode (default 7: 21 in all).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrashLoopTest {
  private static final int CLIENTS = 4;
  private static final int MSET_KEYS = 4;

  @TempDir Path dir;

  @ParameterizedTest(name = "fsync {0}")
  @ValueSource(strings = {"always", "everysec", "never"})
  void killedAtRandomTheServerKeepsEveryAcknowledgedWrite(String fsync) throws Exception {
    int cycles = Integer.getInteger("kvdb.crashCycles", 7);
    long seed = Long.getLong("kvdb.crashSeed", System.nanoTime());
    Random random = new Random(seed);
    Path data = dir.resolve("data");
    Path config =
        ChildServer.configWithFsync(
            dir.resolve("c.yaml"),
            data,
            fsync,
            "  max_segment_size: 64kb",
            "  snapshot_threshold: 256kb");
    List<Model> models = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      models.add(new Model(c));
    }
    for (int cycle = 0; cycle < cycles; cycle++) {
      String where = "seed " + seed + ", fsync " + fsync + ", cycle " + cycle;
      ChildServer server = ChildServer.start(config, "-Xmx256m");
      try {
        int port = server.port();
        for (Model m : models) {
          m.verify(port, where); // what the last kill left, against the model
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (Model m : models) {
          long clientSeed = random.nextLong();
          Thread t = new Thread(() -> m.run(port, new Random(clientSeed), stop), "client");
          threads.add(t);
          t.start();
        }
        // Let them write for a random while, then kill the server under them.
        long millis = 200 + random.nextInt(800);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : threads) {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
        }
        server.signal("KILL");
        assertThat(server.awaitExit(30)).isEqualTo(137);
        stop.set(true);
        for (Thread t : threads) {
          t.join(30_000);
          assertThat(t.isAlive()).as("a client stuck after the kill (%s)", where).isFalse();
        }
        for (Model m : models) {
          assertThat(m.failure).as("client %d (%s)", m.id, where).isNull();
        }
      } finally {
        server.close();
      }
    }
    ChildServer last = ChildServer.start(config, "-Xmx256m");
    try {
      for (Model m : models) {
        m.verify(last.port(), "seed " + seed + ", fsync " + fsync + ", after the last kill");
        assertThat(m.acknowledged).as("writes acknowledged by client %d", m.id).isPositive();
      }
    } finally {
      last.close();
    }
  }

  /**
   * One client's keys and what the server may hold for each: the acknowledged value, and the value
   * of the one request in flight when the server died (null key: none). Values are strings; a
   * deleted or never-set key is null.
   */
  static final class Model {
    final int id;
    final Map<String, String> acked = new HashMap<>();
    final Map<String, String> inFlight = new HashMap<>(); // possible values, if the write landed
    long counter;
    long counterInFlight; // 0 or 1
    long acknowledged;
    long seq;
    volatile Throwable failure;

    Model(int id) {
      this.id = id;
    }

    String key(String name) {
      return "c" + id + ":" + name;
    }

    void run(int port, Random r, AtomicBoolean stop) {
      try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
        while (!stop.get()) {
          step(j, r);
        }
      } catch (RuntimeException killed) {
        // the server died under us: the request in flight stays in the model
      } catch (Throwable t) {
        failure = t;
      }
    }

    private void step(Jedis j, Random r) {
      String v = "v" + id + "." + (++seq);
      int op = r.nextInt(7);
      switch (op) {
        case 0 -> { // SET
          String k = key("s" + r.nextInt(8));
          inFlight.put(k, v);
          assertThat(j.set(k, v)).isEqualTo("OK");
          landed(k, v);
        }
        case 1 -> { // DEL
          String k = key("s" + r.nextInt(8));
          inFlight.put(k, null);
          j.del(k);
          landed(k, null);
        }
        case 2 -> { // SETNX
          String k = key("x" + r.nextInt(4));
          if (acked.get(k) == null) {
            inFlight.put(k, v);
          }
          long set = j.setnx(k, v);
          assertThat(set).isEqualTo(acked.get(k) == null ? 1 : 0);
          if (set == 1) {
            landed(k, v);
          } else {
            done();
          }
        }
        case 3 -> { // EXPIRE far away: the value stays
          String k = key("s" + r.nextInt(8));
          j.expire(k, 100_000);
          done();
        }
        case 4 -> { // INCR
          counterInFlight = 1;
          long n = j.incr(key("n"));
          assertThat(n).isEqualTo(counter + 1);
          counter = n;
          counterInFlight = 0;
          done();
        }
        case 5 -> { // MSET: all or nothing
          String[] kv = new String[MSET_KEYS * 2];
          for (int i = 0; i < MSET_KEYS; i++) {
            kv[2 * i] = key("m" + i);
            kv[2 * i + 1] = v;
            inFlight.put(key("m" + i), v);
          }
          assertThat(j.mset(kv)).isEqualTo("OK");
          for (int i = 0; i < MSET_KEYS; i++) {
            acked.put(key("m" + i), v);
          }
          done();
        }
        default -> { // MULTI/EXEC: both keys and the counter, or nothing
          inFlight.put(key("t0"), v);
          inFlight.put(key("t1"), v);
          counterInFlight = 1;
          Transaction t = j.multi();
          t.set(key("t0"), v);
          t.set(key("t1"), v);
          t.incr(key("n"));
          List<Object> out = t.exec();
          assertThat(out).hasSize(3);
          acked.put(key("t0"), v);
          acked.put(key("t1"), v);
          counter = (Long) out.get(2);
          counterInFlight = 0;
          done();
        }
      }
    }

    private void landed(String k, String v) {
      acked.put(k, v);
      done();
    }

    private void done() {
      inFlight.clear();
      counterInFlight = 0;
      acknowledged++;
    }

    /** Checks the server against the model, then adopts what it holds (the in-flight resolved). */
    void verify(int port, String where) {
      try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
        Map<String, String> seen = new HashMap<>();
        List<String> keys = new ArrayList<>(acked.keySet());
        for (String k : inFlight.keySet()) {
          if (!keys.contains(k)) {
            keys.add(k);
          }
        }
        for (String k : keys) {
          String got = j.get(k);
          String ack = acked.get(k);
          boolean ok =
              java.util.Objects.equals(got, ack)
                  || (inFlight.containsKey(k) && java.util.Objects.equals(got, inFlight.get(k)));
          assertThat(ok)
              .as(
                  "%s: key %s holds %s; acknowledged %s, in flight %s",
                  where, k, got, ack, inFlight.containsKey(k) ? inFlight.get(k) : "(none)")
              .isTrue();
          seen.put(k, got);
        }
        // An MSET and an EXEC are whole: their keys agree.
        String m0 = seen.get(key("m0"));
        for (int i = 1; i < MSET_KEYS; i++) {
          assertThat(seen.get(key("m" + i))).as("%s: MSET whole", where).isEqualTo(m0);
        }
        assertThat(seen.get(key("t1"))).as("%s: EXEC whole", where).isEqualTo(seen.get(key("t0")));
        String n = j.get(key("n"));
        long got = n == null ? 0 : Long.parseLong(n);
        assertThat(got)
            .as("%s: counter of client %d", where, id)
            .isBetween(counter, counter + counterInFlight);
        boolean execLanded =
            inFlight.containsKey(key("t0"))
                && java.util.Objects.equals(seen.get(key("t0")), inFlight.get(key("t0")));
        if (inFlight.containsKey(key("t0")) && counterInFlight == 1) {
          // The EXEC in flight: its counter increment landed exactly when its keys did.
          assertThat(got)
              .as("%s: EXEC's INCR with its SETs", where)
              .isEqualTo(counter + (execLanded ? 1 : 0));
        }
        acked.clear();
        seen.forEach(
            (k, v) -> {
              if (v != null) {
                acked.put(k, v);
              }
            });
        counter = got;
        inFlight.clear();
        counterInFlight = 0;
      }
    }
  }
}
