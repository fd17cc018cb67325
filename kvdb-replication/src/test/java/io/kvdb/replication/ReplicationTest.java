package io.kvdb.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvdb.core.KvStore;
import io.kvdb.replication.testing.Nodes;
import io.kvdb.replication.testing.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Master and slaves in one JVM, linked through a TCP proxy that cuts and stalls links, under
 * concurrent writes. Each scenario ends with equal digests at quiescence.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationTest {
  @TempDir Path dir;

  @Test
  void aSlaveFollowsEveryKindOfWriteAndRefusesWrites() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), Nodes.port(master))) {
      KvStore m = master.store();
      m.put("a", "1");
      m.putAllAsync(List.of(b("b"), b("2"), b("c"), b("3"))).join();
      m.deleteAllAsync(List.of(b("a"), b("c"))).join();
      m.put(b("bin"), new byte[] {0, (byte) 0xff, '\r', '\n'});
      Nodes.awaitEqual(master, slave);
      assertThat(slave.store().get("b")).isEqualTo("2");
      assertThat(slave.store().get("a")).isNull();
      assertThatThrownBy(() -> slave.store().put("x", "y"))
          .isInstanceOf(ReadOnlyReplicaException.class)
          .hasMessage("READONLY You can't write against a read only replica.");
      m.clearAsync().join();
      Nodes.awaitEqual(master, slave);
      assertThat(slave.store().size()).isZero();
      NodeStatus st = slave.status();
      assertThat(st.role()).isEqualTo("slave");
      assertThat(st.link().up()).isTrue();
      assertThat(st.history()).isEqualTo(master.status().history());
      assertThat(master.status().slaves())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.id()).isEqualTo(slave.slaveId());
                assertThat(s.state()).isEqualTo("online");
              });
    }
  }

  /** (1) The link is cut every few hundred ms under load: every resume is a CONTINUE. */
  @Test
  void cutLinksResumeWithoutAFullSync() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"));
        TcpProxy proxy = new TcpProxy(Nodes.port(master));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port());
        Load load = new Load(master.store(), 3)) {
      for (int cut = 0; cut < 6; cut++) {
        long before = slave.status().link().appliedLsn();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> linkUp(slave) && applied(slave) > before);
        proxy.cut();
      }
      load.close();
      Nodes.awaitEqual(master, slave);
      NodeStatus ms = master.status();
      assertThat(ms.syncFull())
          .as("only the first sync (the slave was empty) is full")
          .isEqualTo(1);
      assertThat(ms.syncPartialOk()).isGreaterThanOrEqualTo(6);
      assertThat(slave.status().link().fullSyncs()).isEqualTo(1);
    }
  }

  /**
   * (2) Retention tiny: a slave that fell behind takes full syncs mid-load, and still ends equal.
   */
  @Test
  void fullSyncsWhileWritesGoOnEndEqual() throws Exception {
    try (ReplicationNode master =
            Nodes.master(
                dir.resolve("m"),
                b ->
                    b.wal(
                        w ->
                            w.segmentSize(16 << 10)
                                .snapshotThreshold(64 << 10)
                                .maxRetainedBytes(0)));
        TcpProxy proxy = new TcpProxy(Nodes.port(master));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port());
        Load load = new Load(master.store(), 3)) {
      for (int round = 0; round < 3; round++) {
        await().atMost(Duration.ofSeconds(20)).until(() -> linkUp(slave));
        proxy.stall(true); // the slave falls behind while the master compacts its history away
        long lsn = master.store().lastLsn();
        await().atMost(Duration.ofSeconds(20)).until(() -> master.store().lastLsn() > lsn + 3000);
        proxy.cut();
        proxy.stall(false);
      }
      load.close();
      Nodes.awaitEqual(master, slave);
      assertThat(master.status().syncFull()).isGreaterThanOrEqualTo(2);
      assertThat(slave.status().link().consistent()).isTrue();
    }
  }

  /** (3) A slave restarted on its own data continues from its LSN. */
  @Test
  void aRestartedSlaveContinuesFromItsOwnLog() throws Exception {
    Path s = dir.resolve("s");
    try (ReplicationNode master = Nodes.master(dir.resolve("m"));
        Load load = new Load(master.store(), 2)) {
      try (ReplicationNode slave = Nodes.slave(s, Nodes.port(master))) {
        await().atMost(Duration.ofSeconds(20)).until(() -> applied(slave) > 2000);
      }
      long fullBefore = master.status().syncFull();
      try (ReplicationNode slave = Nodes.slave(s, Nodes.port(master))) {
        await().atMost(Duration.ofSeconds(20)).until(() -> linkUp(slave));
        load.close();
        Nodes.awaitEqual(master, slave);
        assertThat(master.status().syncFull()).isEqualTo(fullBefore);
        assertThat(slave.status().link().fullSyncs()).isZero();
      }
    }
  }

  /** (4) The master restarts (on another port): the slave reconnects and continues. */
  @Test
  void aRestartedMasterIsFollowedOnWithoutAFullSync() throws Exception {
    Path m = dir.resolve("m");
    ReplicationNode master = Nodes.master(m);
    try (TcpProxy proxy = new TcpProxy(Nodes.port(master));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port())) {
      try (Load load = new Load(master.store(), 2)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> applied(slave) > 1000);
      }
      master.close();
      master = Nodes.master(m);
      proxy.target(Nodes.port(master));
      proxy.cut();
      try (Load load = new Load(master.store(), 2)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> linkUp(slave) && applied(slave) > 0);
      }
      Nodes.awaitEqual(master, slave);
      assertThat(master.status().syncFull()).isZero();
      assertThat(slave.status().link().fullSyncs()).isEqualTo(1); // the first one only
    } finally {
      master.close();
    }
  }

  /** (5) The master comes back with a wiped directory: the slave refuses and keeps its data. */
  @Test
  void aSlaveNeverWipesItselfForAMasterThatLostItsData() throws Exception {
    Path m = dir.resolve("m");
    ReplicationNode master = Nodes.master(m);
    try (TcpProxy proxy = new TcpProxy(Nodes.port(master));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port())) {
      for (int i = 0; i < 100; i++) {
        master.store().put("k" + i, "v" + i);
      }
      Nodes.awaitEqual(master, slave);
      String kept = slave.digest();
      master.close();
      io.kvdb.replication.internal.DataDirs.deleteTree(m);
      master = Nodes.master(m);
      master.store().put("other", "data");
      proxy.target(Nodes.port(master));
      proxy.cut();
      ReplicationNode current = master;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> "refused".equals(slave.status().link().state()));
      assertThat(slave.status().link().refusal()).startsWith("diverged");
      assertThat(slave.digest()).isEqualTo(kept);
      assertThat(slave.store().get("k7")).isEqualTo("v7");
      assertThat(current.status().syncFull()).isZero();
    } finally {
      master.close();
    }
  }

  /** (7) A full sync cut halfway leaves the slave's old data intact, and a later one completes. */
  @Test
  void aFullSyncCutHalfwayLeavesTheOldData() throws Exception {
    Path m = dir.resolve("m");
    String synced;
    try (ReplicationNode master =
            Nodes.master(
                m,
                b -> b.wal(w -> w.segmentSize(64 << 10).maxRetainedBytes(0).snapshotThreshold(0)));
        TcpProxy proxy = new TcpProxy(Nodes.port(master));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port())) {
      master.store().put("old", "1");
      Nodes.awaitEqual(master, slave);
      String old = slave.digest();
      proxy.stall(true);
      byte[] value = new byte[1000];
      for (int i = 0; i < 20_000; i++) { // ~20 MB, compacted away: the slave needs a full sync
        master.store().putAsync(b("big" + i), value);
      }
      master.store().put("old", "2");
      master.wal().snapshot().get(30, TimeUnit.SECONDS);
      proxy.cut();
      long cutsBefore = slave.status().link().fullSyncs();
      proxy.cutAfter(proxy.forwarded() + (2 << 20)); // in the middle of the snapshot's entries
      proxy.stall(false);
      await().atMost(Duration.ofSeconds(20)).until(() -> proxy.cutAt() == Long.MAX_VALUE);
      assertThat(slave.status().link().fullSyncs()).isEqualTo(cutsBefore); // that one never ended
      assertThat(slave.digest()).isEqualTo(old);
      assertThat(slave.store().get("old")).isEqualTo("1");
      Nodes.awaitEqual(master, slave);
      assertThat(slave.store().get("old")).isEqualTo("2");
      assertThat(master.status().syncFull()).isGreaterThanOrEqualTo(2);
      synced = slave.digest();
    }
    // The slave filled its store while the entries arrived and never re-read its snapshot: what it
    // left on disk must reopen to exactly the same data.
    try (KvStore reopened =
        KvStore.builder()
            .wal(io.kvdb.wal.SegmentedWal.builder().directory(dir.resolve("s")).build())
            .build()) {
      assertThat(DatasetDigest.of((io.kvdb.core.spi.StoreState) reopened)).isEqualTo(synced);
    }
  }

  /**
   * (8) Promotion: slave A becomes master, slave B re-pointed at A continues without a full sync.
   */
  @Test
  void aPromotedSlaveIsFollowedByItsFormerPeerWithoutAFullSync() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"));
        ReplicationNode a =
            Nodes.slave(dir.resolve("a"), Nodes.port(master), x -> x.listen("127.0.0.1", 0));
        ReplicationNode b = Nodes.slave(dir.resolve("b"), Nodes.port(master))) {
      try (Load load = new Load(master.store(), 2)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> applied(a) > 1000 && applied(b) > 1000);
      }
      Nodes.awaitEqual(master, a, b);
      master.close();
      a.promote();
      assertThat(a.isMaster()).isTrue();
      assertThat(a.status().history().previousId()).isEqualTo(b.wal().history().id());
      a.store().put("after", "promotion");
      long bFull = b.status().link().fullSyncs();
      b.replicaOf("127.0.0.1", Nodes.port(a));
      Nodes.awaitEqual(a, b);
      assertThat(b.store().get("after")).isEqualTo("promotion");
      assertThat(a.status().syncFull()).isZero();
      assertThat(a.status().syncPartialOk()).isEqualTo(1);
      assertThat(b.status().link().fullSyncs()).isEqualTo(0); // a new link: counts its own
      assertThat(bFull).isEqualTo(1);
      assertThat(b.wal().history()).isEqualTo(a.wal().history());
    }
  }

  /** (9) Two slaves, one stalled: the other keeps up, and the stalled one catches up later. */
  @Test
  void aStalledSlaveDoesNotHoldBackTheOther() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"));
        TcpProxy stalledLink = new TcpProxy(Nodes.port(master));
        ReplicationNode stalled = Nodes.slave(dir.resolve("s1"), stalledLink.port());
        ReplicationNode healthy = Nodes.slave(dir.resolve("s2"), Nodes.port(master))) {
      master.store().put("start", "1");
      Nodes.awaitEqual(master, stalled, healthy);
      stalledLink.stall(true);
      try (Load load = new Load(master.store(), 2)) {
        for (int i = 0; i < 5; i++) {
          long lsn = master.store().lastLsn();
          await().atMost(Duration.ofSeconds(10)).until(() -> applied(healthy) >= lsn);
        }
      }
      Nodes.awaitEqual(master, healthy);
      assertThat(applied(stalled)).isLessThan(master.store().lastLsn());
      stalledLink.stall(false);
      Nodes.awaitEqual(master, stalled);
    }
  }

  /**
   * WAIT counts a slave only for what it acknowledged having: a full sync that the master sent
   * (into socket buffers) but the slave never received counts for nothing.
   */
  @Test
  void aFullSyncSentButNotReceivedIsNotCountedByWait() throws Exception {
    try (ReplicationNode master = Nodes.master(dir.resolve("m"));
        TcpProxy proxy = new TcpProxy(Nodes.port(master))) {
      for (int i = 0; i < 100; i++) {
        master.store().put("k" + i, "v");
      }
      long lsn = master.store().lastLsn();
      proxy.stallAfter(1); // the HELLO passes (it is one chunk); nothing after it
      try (ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port())) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> master.status().slaves().size() == 1 && master.status().syncFull() == 1);
        assertThat(master.waitFor(lsn, 1, false, 300).get(10, TimeUnit.SECONDS)).isZero();
        assertThat(master.status().slaves().get(0).ackedLsn()).isLessThan(lsn);
        proxy.stall(false);
        assertThat(master.waitFor(lsn, 1, false, 0).get(30, TimeUnit.SECONDS)).isEqualTo(1);
        Nodes.awaitEqual(master, slave);
      }
    }
  }

  /** min-replicas-to-write: writes are refused, before anything is logged, without fresh slaves. */
  @Test
  void tooFewGoodSlavesRefuseWritesWithNothingLogged() throws Exception {
    try (ReplicationNode master =
            Nodes.master(dir.resolve("m"), b -> b.minSlaves(1, Duration.ofMillis(500)));
        TcpProxy proxy = new TcpProxy(Nodes.port(master))) {
      assertThatThrownBy(() -> master.store().put("early", "x"))
          .isInstanceOf(NotEnoughReplicasException.class)
          .hasMessage("NOREPLICAS Not enough good replicas to write.");
      assertThat(master.store().lastLsn()).isZero();
      try (ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port())) {
        await()
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptionsInstanceOf(NotEnoughReplicasException.class)
            .until(
                () -> {
                  master.store().put("k", "v");
                  return true;
                });
        proxy.stall(true); // no more acknowledgements: the slave's lag grows past 500 ms
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  try {
                    master.store().putAsync(b("late"), b("x"));
                    return false;
                  } catch (NotEnoughReplicasException e) {
                    return true;
                  }
                });
        long lsn = master.store().lastLsn();
        assertThatThrownBy(() -> master.store().putAllAsync(List.of(b("a"), b("1"))))
            .isInstanceOf(NotEnoughReplicasException.class);
        assertThat(master.store().lastLsn()).isEqualTo(lsn);
        proxy.stall(false);
        Nodes.awaitEqual(master, slave);
      }
    }
  }

  /**
   * Semi-synchronous: acknowledged means durable on the slave too; a stalled slave fails writes.
   */
  @Test
  void semiSynchronousWritesAreDurableOnTheSlaveWhenAcknowledged() throws Exception {
    try (ReplicationNode master =
            Nodes.master(dir.resolve("m"), b -> b.ackSlaves(1, Duration.ofMillis(500)));
        TcpProxy proxy = new TcpProxy(Nodes.port(master));
        ReplicationNode slave = Nodes.slave(dir.resolve("s"), proxy.port())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> linkUp(slave));
      for (int i = 0; i < 200; i++) {
        master.store().putAsync(b("k" + i), b("v" + i)).get(10, TimeUnit.SECONDS);
        long lsn = master.store().lastLsn();
        // Acknowledged: the slave has made it durable in its own log already.
        assertThat(slave.wal().durableLsn()).isGreaterThanOrEqualTo(lsn);
      }
      master.store().put("blocking", "too");
      assertThat(slave.store().get("blocking")).isEqualTo("too");
      proxy.stall(true);
      CompletableFuture<Void> stuck = master.store().putAsync(b("stuck"), b("x"));
      assertThat(stuck)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(NotEnoughReplicasException.class)
          .withMessageContaining("only 0 of 1 slaves");
      assertThat(master.store().get("stuck")).isEqualTo("x"); // applied and durable here
      proxy.stall(false);
      Nodes.awaitEqual(master, slave);
    }
  }

  private static boolean linkUp(ReplicationNode slave) {
    return slave.status().link().up();
  }

  private static long applied(ReplicationNode slave) {
    return slave.status().link().appliedLsn();
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** Writers that put, putAll and delete on a master until closed. */
  static final class Load implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<CompletableFuture<Void>> writers = new ArrayList<>();
    final AtomicLong writes = new AtomicLong();

    Load(KvStore store, int threads) {
      for (int t = 0; t < threads; t++) {
        int id = t;
        writers.add(
            CompletableFuture.runAsync(
                () -> {
                  for (long i = 0; !stop.get(); i++) {
                    String k = "w" + id + ":" + (i % 500);
                    switch ((int) (i % 10)) {
                      case 0 ->
                          store
                              .putAllAsync(List.of(b(k), b("m" + i), b(k + ":x"), b("m" + i)))
                              .join();
                      case 1 -> store.delete(k + ":x");
                      default -> store.put(k, "v" + i);
                    }
                    writes.incrementAndGet();
                  }
                },
                r -> new Thread(r).start()));
      }
    }

    @Override
    public void close() throws Exception {
      if (stop.getAndSet(true)) {
        return;
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
  }
}
