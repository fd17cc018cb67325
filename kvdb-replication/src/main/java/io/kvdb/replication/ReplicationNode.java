package io.kvdb.replication;

import io.kvdb.core.KvStore;
import io.kvdb.core.KvStoreBuilder;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.replication.internal.DataDirs;
import io.kvdb.replication.internal.MasterService;
import io.kvdb.replication.internal.NodeStore;
import io.kvdb.replication.internal.SlaveLink;
import io.kvdb.replication.internal.WriteGate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KvStore} with its write-ahead log in a data directory, replicated: as a master it
 * accepts slaves on a port of its own and ships them its log; as a slave it follows a master,
 * serves reads and refuses writes. The role can change while it runs ({@link #replicaOf}, {@link
 * #promote}). Embedded apps use it directly; kvdb-server runs one.
 *
 * <pre>{@code
 * try (ReplicationNode master = ReplicationNode.builder()
 *         .dataDirectory(Path.of("master-data"))
 *         .listen("127.0.0.1", 3333)
 *         .build();
 *     ReplicationNode slave = ReplicationNode.builder()
 *         .dataDirectory(Path.of("slave-data"))
 *         .replicaOf("127.0.0.1", 3333)
 *         .build()) {
 *   master.store().put("k", "v");
 *   // soon: slave.store().get("k") is "v"; slave.store().put(...) throws ReadOnlyReplicaException
 * }
 * }</pre>
 *
 * <h2>Data</h2>
 *
 * {@link #store()} is one store for the node's whole life. A full sync builds the master's state in
 * a directory beside the data directory and switches to it only when it is complete and durable; a
 * sync cut before that leaves the data as it was. During the switch itself (closing the old store,
 * two renames, opening the new one) calls throw {@link DatasetLoadingException}. See {@code
 * docs/replication.md} for the protocol and both sides' state machines.
 *
 * <p>Thread-safe.
 */
public final class ReplicationNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicationNode.class);
  static final String SLAVE_ID_FILE = "REPLICA_ID";

  final ReplicationNodeBuilder cfg;
  final Path dataDir;
  final String slaveId;
  final NodeStore store;
  final Map<KvStore, WriteAheadLog> logs = new WeakHashMap<>();
  volatile WriteAheadLog wal;
  volatile MasterService master; // written under this
  private SlaveLink link; // guarded by this
  private boolean closed; // guarded by this
  private int boundListenPort; // the port its slaves use, once bound (guarded by this)
  volatile int announcePort; // this node's client port, told to its master in HELLO
  volatile boolean resyncOverDivergence; // read at each HELLO
  volatile boolean rollbackAllowed; // an explicit REPLICAOF not handshaken yet
  volatile long rolledBackRecords; // in all rollbacks since start
  volatile Path lastRollbackFile;
  private int minSlaves; // guarded by this
  private long minSlavesMaxLagMillis; // guarded by this

  ReplicationNode(ReplicationNodeBuilder b) throws IOException {
    this.cfg = b;
    this.dataDir = b.dataDirectory;
    this.minSlaves = b.minSlaves;
    this.announcePort = b.announcePort;
    this.resyncOverDivergence = b.resyncOverDivergence;
    this.minSlavesMaxLagMillis = b.minSlavesMaxLag.toMillis();
    DataDirs.recover(dataDir);
    KvStore opened = open(dataDir, b.masterHost != null);
    this.wal = walOf(opened);
    this.slaveId = b.slaveId != null ? b.slaveId : persistentSlaveId();
    this.store = new NodeStore(opened, b.masterHost != null);
    try {
      if (b.masterHost != null) {
        wal.refuseLocalAppends(ReadOnlyReplicaException::new);
        startLink(b.masterHost, b.masterPort);
        startMaster(); // a slave that listens serves slaves of its own (a cascade), as Redis
      } else {
        if (wal.follower()) {
          // It followed a master until now: as a master its next records are its own, so they
          // need a history of their own (its former master's other slaves may hold different
          // records at those LSNs).
          wal.forkHistory();
        }
        startMaster();
      }
    } catch (IOException | RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  public static ReplicationNodeBuilder builder() {
    return new ReplicationNodeBuilder();
  }

  /** The node's store: writable on a master, read-only on a slave; the same object throughout. */
  public KvStore store() {
    return store;
  }

  /** The store underneath {@link #store()} now (a full sync replaces it), for its statistics. */
  public KvStore currentStore() {
    return store.current();
  }

  /** The log of the data directory now (a full sync replaces it). */
  public WriteAheadLog wal() {
    return wal;
  }

  /** This node's id as a slave (given, or generated once and kept in the data directory). */
  public String slaveId() {
    return slaveId;
  }

  /**
   * The port this node serves clients on, which its master shows in INFO and ROLE as Redis shows
   * {@code replica-announce-port} (replication-aware clients read slaves from there). Sent with the
   * next HELLO.
   */
  public void announcePort(int port) {
    this.announcePort = port; // sent with the next HELLO and every ACK
  }

  /**
   * Whether this slave lets a full sync replace data its master's history does not contain
   * (replication.resync_over_divergence); takes effect at the link's next HELLO.
   */
  public void resyncOverDivergence(boolean allow) {
    this.resyncOverDivergence = allow;
  }

  public boolean resyncOverDivergence() {
    return resyncOverDivergence;
  }

  /** Records rolled back when rejoining a master whose history forked before them, in all. */
  public long rolledBackRecords() {
    return rolledBackRecords;
  }

  /** The file the last rollback kept its records in, or null. */
  public Path lastRollbackFile() {
    return lastRollbackFile;
  }

  /** The oldest LSN a slave that is behind can continue from (Redis' backlog start). */
  public long firstRetainedLsn() {
    return wal.firstRetainedLsn();
  }

  /** How much compacted log the node keeps for slaves that are behind (Redis' backlog size). */
  public long retainedHistoryLimit() {
    return wal.maxRetainedBytes();
  }

  public synchronized boolean isMaster() {
    return link == null;
  }

  /** Whether writes are refused (a slave); one volatile read, for every write command. */
  public boolean readOnly() {
    return store.readOnly();
  }

  /**
   * Makes this node a slave of {@code host:port} (Redis' REPLICAOF host port): stops accepting
   * slaves, refuses writes from now on, and connects — continuing from its own log when the
   * master's history contains it.
   */
  public synchronized void replicaOf(String host, int port) {
    ensureOpen();
    if (link != null
        && link.settings().masterHost().equals(host)
        && link.settings().masterPort() == port) {
      // Already following it: an explicit REPLICAOF still allows a rollback, at once.
      rollbackAllowed = true;
      link.retryNow();
      return;
    }
    stopLink();
    // First the log: a write that passed the role check before this line either got its LSN
    // already or is refused now, so no record of this node's own follows the link's HELLO.
    wal.refuseLocalAppends(ReadOnlyReplicaException::new);
    store.readOnly(true);
    store.gate(WriteGate.OPEN);
    // Pointed here by an operator: if this node holds records after the new master's fork, they
    // may be rolled back (kept in a file). Automatic reconnects never roll back.
    rollbackAllowed = true;
    startLink(host, port);
    // Its own slaves, if it has any, go on following it: they become a cascade.
  }

  /**
   * Makes this slave a master (Redis' REPLICAOF NO ONE): stops following its master, starts a new
   * history at its last LSN (remembering the old one, so its former peers can continue from it),
   * accepts writes, and accepts slaves if it was built to listen. A master stays as it is.
   */
  public synchronized void promote() throws IOException {
    ensureOpen();
    if (link == null) {
      return;
    }
    stopLink();
    wal.forkHistory();
    wal.refuseLocalAppends(null);
    store.readOnly(false);
    startMaster(); // its slaves, if it served a cascade, stay connected
    applyWriteRules();
    log.atInfo()
        .addKeyValue("lsn", store.lastLsn())
        .log("promoted to master at LSN {}", store.lastLsn());
  }

  /**
   * Completes with how many slaves have acknowledged {@code lsn} — applied it, or with {@code
   * durable} made it durable in their own log — once {@code slaves} of them did or {@code
   * timeoutMillis} passed (0: no timeout). Redis' WAIT and WAITAOF. 0 at once on a slave.
   */
  public synchronized CompletableFuture<Integer> waitFor(
      long lsn, int slaves, boolean durable, long timeoutMillis) {
    return master == null
        ? CompletableFuture.completedFuture(0)
        : master.waitFor(lsn, slaves, durable, timeoutMillis);
  }

  /** The digest of the current dataset ({@link DatasetDigest}). */
  public String digest() {
    return DatasetDigest.of((StoreState) store.current());
  }

  public synchronized NodeStatus status() {
    MasterService m = master;
    SlaveLink l = link;
    NodeStatus.Link linkStatus =
        l == null
            ? null
            : new NodeStatus.Link(
                l.settings().masterHost(),
                l.settings().masterPort(),
                l.state(),
                l.state().equals("connected"),
                l.syncInProgress(),
                l.refusal(),
                l.secondsSinceLastIo(),
                l.appliedLsn(),
                l.masterLastLsn(),
                l.consistent(),
                l.fullSyncs());
    return new NodeStatus(
        l == null ? "master" : "slave",
        wal.history(),
        store.current().lastLsn(),
        m == null ? List.of() : m.slaves(),
        m == null ? 0 : m.port(),
        linkStatus,
        m == null ? 0 : m.counter("sync_full"),
        m == null ? 0 : m.counter("sync_partial_ok"),
        m == null ? 0 : m.counter("sync_partial_err"));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopLink();
    stopMaster();
    store.current().close();
  }

  /* ---- Roles ---- */

  private void startMaster() throws IOException {
    if (cfg.listenHost == null || master != null) {
      return;
    }
    master =
        new MasterService(
            wal,
            (StoreState) store.current(),
            cfg.listenHost,
            boundListenPort > 0 ? boundListenPort : cfg.listenPort,
            cfg.password,
            cfg.protectedMode,
            cfg.heartbeat.toMillis(),
            cfg.timeout.toMillis());
    boundListenPort = master.port(); // kept across restarts of the service: its slaves return
    if (link == null) {
      applyWriteRules();
    }
  }

  /** The write gate of the rules now in force, on a master (guarded by this). */
  private void applyWriteRules() {
    if (master == null) {
      return;
    }
    store.gate(
        minSlaves > 0 || cfg.ackSlaves > 0
            ? new WriteGate(
                master, minSlaves, minSlavesMaxLagMillis, cfg.ackSlaves, cfg.ackTimeout.toMillis())
            : WriteGate.OPEN);
  }

  /**
   * Changes min-replicas-to-write at runtime (Redis' CONFIG SET min-replicas-to-write and
   * min-replicas-max-lag): from the next write on, a master refuses writes unless {@code slaves}
   * slaves acknowledged within {@code maxLag}; 0 turns the rule off. Kept across role changes.
   */
  public synchronized void minSlaves(int slaves, Duration maxLag) {
    if (slaves < 0) {
      throw new IllegalArgumentException("slaves must not be negative, got " + slaves);
    }
    minSlaves = slaves;
    minSlavesMaxLagMillis = maxLag.toMillis();
    applyWriteRules();
  }

  /** The min-replicas-to-write rule in force: {slaves, max lag in seconds}. */
  public synchronized long[] minSlaves() {
    return new long[] {minSlaves, minSlavesMaxLagMillis / 1000};
  }

  private void stopMaster() {
    store.gate(WriteGate.OPEN);
    if (master != null) {
      master.close();
      master = null;
    }
  }

  private void startLink(String host, int port) {
    link =
        new SlaveLink(
            new NodeLinkHost(this),
            new SlaveLink.Settings(
                host,
                port,
                slaveId,
                cfg.masterPassword,
                cfg.resyncOverDivergence,
                cfg.heartbeat.toMillis(),
                cfg.timeout.toMillis(),
                cfg.backoffMin.toMillis(),
                cfg.backoffMax.toMillis()));
    link.start();
  }

  private void stopLink() {
    if (link != null) {
      link.close();
      link = null;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the replication node is closed");
    }
  }

  /* ---- Stores and directories ---- */

  KvStore open(Path dir, boolean replica) {
    WriteAheadLog w = cfg.logFactory().create(dir, 0, true);
    KvStoreBuilder b = cfg.store.apply(KvStore.builder()).removeExpiredKeys(!replica);
    KvStore s = b.wal(w).build();
    synchronized (logs) {
      logs.put(s, w);
    }
    return s;
  }

  WriteAheadLog walOf(KvStore s) {
    synchronized (logs) {
      return logs.get(s);
    }
  }

  private String persistentSlaveId() throws IOException {
    Path file = dataDir.resolve(SLAVE_ID_FILE);
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    String id = UUID.randomUUID().toString();
    Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
    return id;
  }
}
