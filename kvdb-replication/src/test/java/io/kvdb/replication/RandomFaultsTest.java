package io.kvdb.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.replication.testing.Nodes;
import io.kvdb.replication.testing.TcpProxy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized, seeded fault runs over three embedded nodes (replication issue: a harness that finds
 * the next fault). Each node follows its master through a TCP proxy of its own; a run is a random
 * sequence of writes (single keys, batches, deletes, writes covered by WAIT), link cuts, outages
 * and stalls, slave restarts, and failovers (a slave promoted, the others re-pointed at it). Then
 * every link is healed, and once quiet:
 *
 * <ul>
 *   <li>every node that says it is connected and consistent holds exactly its master's data (the
 *       silent divergence of item 1 fails here);
 *   <li>every node that is not in sync says why in its status (refused, with a reason) — never a
 *       silent stuck state;
 *   <li>every write that WAIT reported on all slaves is on the final master.
 * </ul>
 *
 * {@code -Dkvdb.faultSeeds=N} runs N seeds (default 10), {@code -Dkvdb.faultSeed=S} one seed; a
 * failure names its seed and the steps it took.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RandomFaultsTest {
  private static final int NODES = 3;
  private static final int STEPS = 30;

  @TempDir Path dir;

  @Test
  void randomFaultRunsEndConvergedOrExplained() throws Exception {
    long one = Long.getLong("kvdb.faultSeed", -1);
    int seeds = Integer.getInteger("kvdb.faultSeeds", 10);
    long base = System.nanoTime();
    for (int i = 0; i < (one >= 0 ? 1 : seeds); i++) {
      long seed = one >= 0 ? one : base + i;
      new Run(seed, dir.resolve("seed-" + seed)).go();
    }
  }

  /** One seeded run. */
  static final class Run {
    final long seed;
    final Random r;
    final Path dir;
    final ReplicationNode[] node = new ReplicationNode[NODES];
    final TcpProxy[] proxy = new TcpProxy[NODES];
    final List<String> steps = new ArrayList<>();
    final Map<String, String> covered = new HashMap<>(); // WAIT-covered unique keys
    int master;

    Run(long seed, Path dir) {
      this.seed = seed;
      this.r = new Random(seed);
      this.dir = dir;
    }

    ReplicationNode.Builder config(int i) {
      return Nodes.base(dir.resolve("n" + i)).listen("127.0.0.1", 0);
    }

    void go() throws Exception {
      try {
        node[0] = config(0).build();
        for (int i = 1; i < NODES; i++) {
          proxy[i] = new TcpProxy(Nodes.port(node[0]));
          node[i] = config(i).replicaOf("127.0.0.1", proxy[i].port()).build();
        }
        proxy[0] = new TcpProxy(Nodes.port(node[0])); // n0's link, once it is a slave
        for (int s = 0; s < STEPS; s++) {
          step(s);
        }
        heal();
        check();
      } catch (Throwable t) {
        throw new AssertionError("seed " + seed + " after steps " + steps + ": " + t, t);
      } finally {
        for (int i = 0; i < NODES; i++) {
          if (node[i] != null) {
            node[i].close();
          }
          if (proxy[i] != null) {
            proxy[i].close();
          }
        }
      }
    }

    void step(int s) throws Exception {
      int op = r.nextInt(100);
      int other = pickSlave();
      if (op < 45) {
        write(s);
      } else if (op < 55) {
        steps.add("cut " + other);
        proxy[other].cut();
      } else if (op < 62) {
        steps.add("outage " + other);
        proxy[other].down(true);
        write(s);
        proxy[other].down(false);
      } else if (op < 68) {
        steps.add("stall " + other);
        proxy[other].stall(true);
        write(s);
        proxy[other].stall(false);
      } else if (op < 80) {
        steps.add("restart " + other);
        node[other].close();
        node[other] = config(other).replicaOf("127.0.0.1", proxy[other].port()).build();
      } else if (op < 90) {
        waitCovered(s);
      } else {
        failover(other);
      }
    }

    int pickSlave() {
      int i;
      do {
        i = r.nextInt(NODES);
      } while (i == master);
      return i;
    }

    void write(int s) {
      var store = node[master].store();
      int kind = r.nextInt(4);
      String k = "k" + r.nextInt(12);
      switch (kind) {
        case 0, 1 -> store.put(k, "s" + s);
        case 2 -> store.delete(k);
        default -> {
          byte[] v = ("s" + s).getBytes();
          store
              .putAllAsync(List.of("b1".getBytes(), v, "b2".getBytes(), v, "b3".getBytes(), v))
              .join();
        }
      }
      steps.add("write " + kind);
    }

    void waitCovered(int s) throws Exception {
      String k = "w" + s;
      node[master].store().put(k, "covered");
      long lsn = node[master].store().lastLsn();
      int acked = node[master].waitFor(lsn, NODES - 1, false, 500).get(10, TimeUnit.SECONDS);
      steps.add("wait " + acked);
      if (acked == NODES - 1) {
        covered.put(k, "covered"); // every slave applied it: no failover may lose it
      }
    }

    /** Promotes {@code s}; the other nodes are re-pointed at it through their proxies. */
    void failover(int s) throws IOException {
      steps.add("failover to " + s);
      node[s].promote();
      int port = Nodes.port(node[s]);
      int old = master;
      master = s;
      for (int i = 0; i < NODES; i++) {
        if (i != s) {
          proxy[i].target(port);
          proxy[i].cut(); // links through it reconnect to the new master
          if (i == old) {
            node[i].replicaOf("127.0.0.1", proxy[i].port());
          }
        }
      }
    }

    void heal() {
      for (int i = 0; i < NODES; i++) {
        proxy[i].down(false);
        proxy[i].stall(false);
      }
    }

    /** Settled: in sync with the master, or saying why not. */
    boolean settled(int i) {
      var link = node[i].status().link();
      if (link == null) {
        return false; // two masters: not settled
      }
      if (link.state().equals("refused")) {
        return link.refusal() != null && !link.refusal().isEmpty();
      }
      return link.up()
          && link.consistent()
          && !link.syncInProgress()
          && node[i].store().lastLsn() == node[master].store().lastLsn()
          && node[i].digest().equals(node[master].digest());
    }

    void check() {
      for (int i = 0; i < NODES; i++) {
        if (i == master) {
          continue;
        }
        int n = i;
        Awaitility.await("node " + n + " in sync or saying why")
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptionsInstanceOf(IllegalStateException.class) // LOADING in a switch
            .until(() -> settled(n));
        var link = node[n].status().link();
        if (link.up() && link.consistent() && link.state().equals("connected")) {
          assertThat(node[n].digest())
              .as("node %d says it is in sync", n)
              .isEqualTo(node[master].digest());
        }
      }
      for (var e : covered.entrySet()) {
        assertThat(node[master].store().get(e.getKey()))
            .as("WAIT-covered %s on the final master", e.getKey())
            .isEqualTo(e.getValue());
      }
    }
  }
}
