package io.kvdb.server.command;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.replication.ReplicationNode;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.connection.ClientRegistry;
import io.kvdb.server.connection.ConnectionState;
import io.kvdb.server.connection.Monitors;
import io.kvdb.server.connection.WatchedKeys;
import io.kvdb.server.stats.CommandStats;
import io.kvdb.server.stats.LatencyMonitor;
import io.kvdb.server.stats.ServerStats;
import io.kvdb.server.stats.SlowLog;
import io.kvdb.wal.SegmentedWal;
import java.security.SecureRandom;

/**
 * What every command can reach: the store, its WAL (null when in memory), the config, the clients
 * and the counters. Thread-safe; shared by all connections.
 */
public final class ServerContext {
  private final KvStore store;
  private final ReplicationNode node;
  private final ServerConfig config;
  private final RuntimeConfig runtime;
  private final Monitors monitors = new Monitors();
  private final CommandStats<CommandSpec> commandStats;
  private final SlowLog slowLog;
  private final LatencyMonitor latency;
  private volatile long lastSaveMillis = System.currentTimeMillis();
  private final String runId = randomRunId();
  private volatile int ioThreads = 1;
  private volatile String configFile = "";
  private volatile Runnable shutdownRequest = () -> {};
  private final ServerStats stats = new ServerStats();
  private final ClientRegistry clients;
  private final CommandRegistry registry;
  private final WatchedKeys watches = new WatchedKeys();
  private final long startMillis = System.currentTimeMillis();
  private final String version;
  private volatile int port;
  private volatile boolean stopping;

  /**
   * @param node the replication node owning {@code store} and its WAL, or null for an in-memory
   *     server
   * @param registry the commands (the families the server wires in)
   */
  public ServerContext(
      KvStore store,
      ReplicationNode node,
      ServerConfig config,
      RuntimeConfig runtime,
      String version,
      CommandRegistry registry) {
    this.store = store;
    this.node = node;
    this.config = config;
    this.runtime = runtime;
    this.version = version;
    this.clients = new ClientRegistry(runtime::maxClients);
    this.latency = new LatencyMonitor(config.monitoring().latencyMonitorThresholdMillis());
    this.slowLog =
        new SlowLog(
            config.monitoring().slowlogLogSlowerThanMicros(), config.monitoring().slowlogMaxLen());
    this.registry = registry;
    this.commandStats = new CommandStats<>(registry.all(), CommandSpec::name);
  }

  public KvStore store() {
    return store;
  }

  /** The WAL now (a replica's full sync replaces it), or null for an in-memory server. */
  public WriteAheadLog wal() {
    return node == null ? null : node.wal();
  }

  /**
   * The WAL now as kvdb-wal's {@code SegmentedWal}, for the figures only it keeps (fsync and group
   * histograms, its directory and limits) that INFO and the metrics show; null for an in-memory
   * server or a node on another log implementation. The server's wiring builds its node on
   * SegmentedWal ({@code KvdbServer}); the commands use the log through {@link #wal()}.
   */
  public SegmentedWal segmentedWal() {
    return node != null && node.wal() instanceof SegmentedWal s ? s : null;
  }

  /** The engine underneath, for its statistics (memory, recovery report, shards). */
  public StoreEngine engine() {
    KvStore s = node == null ? store : node.currentStore();
    return (StoreEngine) s; // built by KvStoreBuilder: kvdb-core's engine
  }

  /** The replication node, or null for an in-memory server. */
  public ReplicationNode replication() {
    return node;
  }

  /** Whether this server is a replica: writes are refused. */
  public boolean readOnlyReplica() {
    return node != null && node.readOnly();
  }

  public ServerConfig config() {
    return config;
  }

  /** The settings CONFIG SET can change. */
  public RuntimeConfig runtime() {
    return runtime;
  }

  /** Forgets what a closed connection left behind: its watched keys, its MONITOR. */
  public void connectionClosed(ConnectionState c) {
    watches.unwatchAll(c.transaction());
    monitors.remove(c);
  }

  /** Per-command and per-error counters (INFO commandstats, errorstats, latencystats). */
  public CommandStats<CommandSpec> commandStats() {
    return commandStats;
  }

  /** 40 random hex digits, new per process, as Redis' run_id. */
  public String runId() {
    return runId;
  }

  private static String randomRunId() {
    byte[] b = new byte[20];
    new SecureRandom().nextBytes(b);
    StringBuilder hex = new StringBuilder(40);
    for (byte x : b) {
      hex.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return hex.toString();
  }

  public int ioThreads() {
    return ioThreads;
  }

  public void ioThreads(int n) {
    ioThreads = n;
  }

  /** The config file the server read, or "" for the built-in defaults. */
  public String configFile() {
    return configFile;
  }

  public void configFile(String path) {
    configFile = path;
  }

  /** Latency spikes over latency-monitor-threshold (LATENCY). */
  public LatencyMonitor latency() {
    return latency;
  }

  /** Commands slower than slowlog-log-slower-than. */
  public SlowLog slowLog() {
    return slowLog;
  }

  /** What SHUTDOWN starts: the server's graceful shutdown, on a thread of its own. */
  public void onShutdownRequest(Runnable r) {
    shutdownRequest = r;
  }

  public void requestShutdown() {
    shutdownRequest.run();
  }

  /** Clients in MONITOR mode. */
  public Monitors monitors() {
    return monitors;
  }

  /**
   * When the data was last saved (Unix ms): the newest snapshot of the WAL, else the server's start
   * (Redis counts the dataset as saved at startup).
   */
  public long lastSaveMillis() {
    var w = wal();
    return Math.max(lastSaveMillis, w == null ? 0 : w.lastSnapshotMillis());
  }

  public ServerStats stats() {
    return stats;
  }

  public ClientRegistry clients() {
    return clients;
  }

  public CommandRegistry registry() {
    return registry;
  }

  /** Which transactions WATCH which keys. */
  public WatchedKeys watches() {
    return watches;
  }

  public long startMillis() {
    return startMillis;
  }

  public String version() {
    return version;
  }

  public int port() {
    return port;
  }

  public void port(int p) {
    port = p;
  }

  /** Whether shutdown has begun: connections must not start reading again. */
  public boolean stopping() {
    return stopping;
  }

  public void stopping(boolean value) {
    stopping = value;
  }

  /**
   * Whether read replies must wait for durability (fsync always: no reply reveals a write a crash
   * could lose).
   */
  public boolean readsWaitForDurability() {
    return node != null && config.wal().fsync().equals("always");
  }
}
