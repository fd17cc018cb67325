package io.kvdb.replication;

import io.kvdb.core.KvStore;
import io.kvdb.core.KvStoreBuilder;
import io.kvdb.core.spi.StoreState;
import io.kvdb.replication.internal.DataDirs;
import io.kvdb.replication.internal.MasterService;
import io.kvdb.replication.internal.SlaveLink;
import io.kvdb.replication.internal.SwappableStore;
import io.kvdb.replication.internal.WriteGate;
import io.kvdb.wal.SegmentedWal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
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

  final Builder cfg;
  final Path dataDir;
  final String slaveId;
  final SwappableStore store;
  final Map<KvStore, SegmentedWal> logs = new WeakHashMap<>();
  volatile SegmentedWal wal;
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

  private ReplicationNode(Builder b) throws IOException {
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
    this.store = new SwappableStore(opened, b.masterHost != null);
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

  public static Builder builder() {
    return new Builder();
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
  public SegmentedWal wal() {
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
    SegmentedWal w = cfg.wal.apply(SegmentedWal.builder().directory(dir)).build();
    KvStoreBuilder b = cfg.store.apply(KvStore.builder()).removeExpiredKeys(!replica);
    KvStore s = b.wal(w).build();
    synchronized (logs) {
      logs.put(s, w);
    }
    return s;
  }

  SegmentedWal walOf(KvStore s) {
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

  /** What the link needs from this node. */
  /** Builds a {@link ReplicationNode}; every setter rejects a bad value at once, naming it. */
  public static final class Builder {
    private Path dataDirectory;
    UnaryOperator<SegmentedWal.Builder> wal = w -> w;
    private int announcePort;
    UnaryOperator<KvStoreBuilder> store = s -> s;
    private String listenHost;
    private int listenPort;
    private String password;
    private boolean protectedMode = true;
    private String masterHost;
    private int masterPort;
    private String masterPassword;
    private String slaveId;
    private boolean resyncOverDivergence;
    private Duration heartbeat = Duration.ofSeconds(1);
    private Duration timeout = Duration.ofSeconds(60);
    private Duration backoffMin = Duration.ofMillis(100);
    private Duration backoffMax = Duration.ofSeconds(30);
    private int minSlaves;
    private Duration minSlavesMaxLag = Duration.ofSeconds(10);
    private int ackSlaves;
    private Duration ackTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * As a master, refuse writes ({@link NotEnoughReplicasException}, Redis' NOREPLICAS) unless at
     * least {@code slaves} slaves are online and acknowledged within {@code maxLag} (Redis'
     * min-replicas-to-write and min-replicas-max-lag). Default: 0, no requirement.
     */
    public Builder minSlaves(int slaves, Duration maxLag) {
      if (slaves < 0 || slaves > 1000) {
        throw new IllegalArgumentException("minSlaves must be from 0 to 1000, got " + slaves);
      }
      this.minSlaves = slaves;
      this.minSlavesMaxLag = range("minSlaves maxLag", maxLag, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /**
     * As a master, semi-synchronous: a write completes only once durable here and on {@code slaves}
     * slaves; if fewer make it durable within {@code timeout} it fails with {@link
     * NotEnoughReplicasException} (durable here, not acknowledged). Default: 0, asynchronous.
     */
    public Builder ackSlaves(int slaves, Duration timeout) {
      if (slaves < 0 || slaves > 1000) {
        throw new IllegalArgumentException("ackSlaves must be from 0 to 1000, got " + slaves);
      }
      this.ackSlaves = slaves;
      this.ackTimeout =
          range("ackSlaves timeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /** The data directory (the WAL's). Required. */
    public Builder dataDirectory(Path dir) {
      if (dir == null) {
        throw new NullPointerException("dataDirectory must not be null");
      }
      this.dataDirectory = dir;
      return this;
    }

    /** Adjusts the WAL of every store the node opens (fsync, sizes...); the directory is set. */
    public Builder wal(UnaryOperator<SegmentedWal.Builder> adjust) {
      this.wal = Objects.requireNonNull(adjust, "wal must not be null");
      return this;
    }

    /** Adjusts every store the node opens (shards, limits...); the WAL is set. */
    public Builder store(UnaryOperator<KvStoreBuilder> adjust) {
      this.store = Objects.requireNonNull(adjust, "store must not be null");
      return this;
    }

    /** As a master, accept slaves on {@code host:port} (port 0: any free one). Default: none. */
    public Builder listen(String host, int port) {
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("listen host must not be empty");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("listen port must be from 0 to 65535, got " + port);
      }
      this.listenHost = host;
      this.listenPort = port;
      return this;
    }

    /** The password slaves must present (as a master). Default: none. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Protected mode for the slaves' port, as on a server's client port: with no password and a
     * non-loopback {@link #listen} address, only loopback peers may connect. Default: on.
     */
    public Builder protectedMode(boolean on) {
      this.protectedMode = on;
      return this;
    }

    /** Start as a slave of {@code host:port}. Default: start as a master. */
    /** The client port this node announces to its master (see {@link #announcePort(int)}). */
    public Builder announcePort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("announcePort must be 0..65535, got " + port);
      }
      this.announcePort = port;
      return this;
    }

    public Builder replicaOf(String host, int port) {
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("master host must not be empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("master port must be from 1 to 65535, got " + port);
      }
      this.masterHost = host;
      this.masterPort = port;
      return this;
    }

    /** The password this node presents to its master (as a slave). Default: none. */
    public Builder masterPassword(String password) {
      this.masterPassword = password;
      return this;
    }

    /** This node's id as a slave. Default: generated once and kept in the data directory. */
    public Builder slaveId(String id) {
      if (id != null && (id.isBlank() || id.length() > 128)) {
        throw new IllegalArgumentException("slaveId must be 1 to 128 characters, got '" + id + "'");
      }
      this.slaveId = id;
      return this;
    }

    /**
     * Whether this slave accepts a full sync that replaces data of a history its master does not
     * contain (default false: it refuses, keeps its data and says why).
     */
    public Builder resyncOverDivergence(boolean allow) {
      this.resyncOverDivergence = allow;
      return this;
    }

    /** How often each side sends a heartbeat when idle (10 ms to 60 s; default 1 s). */
    public Builder heartbeat(Duration d) {
      this.heartbeat = range("heartbeat", d, Duration.ofMillis(10), Duration.ofSeconds(60));
      return this;
    }

    /** A link silent this long is dead (100 ms to 1 h; default 60 s, as Redis' repl-timeout). */
    public Builder timeout(Duration d) {
      this.timeout = range("timeout", d, Duration.ofMillis(100), Duration.ofHours(1));
      return this;
    }

    /** Reconnect delays of a slave: from {@code min}, doubling, capped at {@code max}, jittered. */
    public Builder backoff(Duration min, Duration max) {
      this.backoffMin = range("backoff min", min, Duration.ofMillis(1), Duration.ofMinutes(10));
      this.backoffMax = range("backoff max", max, min, Duration.ofHours(1));
      return this;
    }

    private static Duration range(String name, Duration d, Duration lo, Duration hi) {
      if (d == null || d.compareTo(lo) < 0 || d.compareTo(hi) > 0) {
        throw new IllegalArgumentException(
            name + " must be from " + lo + " to " + hi + ", got " + d);
      }
      return d;
    }

    /**
     * Opens the data directory (recovering its log) and starts the role.
     *
     * @throws IOException if the directory or the replication port cannot be opened
     */
    public ReplicationNode build() throws IOException {
      if (dataDirectory == null) {
        throw new IllegalStateException("dataDirectory is required");
      }
      if (heartbeat.compareTo(timeout) >= 0) {
        throw new IllegalStateException(
            "heartbeat (" + heartbeat + ") must be shorter than timeout (" + timeout + ")");
      }
      return new ReplicationNode(this);
    }
  }
}
