package io.kvdb.server.command;

import io.kvdb.core.KvStore;
import io.kvdb.replication.ReplicationNode;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.wal.SegmentedWal;

/**
 * What every command can reach: the store, its WAL (null when in memory), the config, the clients
 * and the counters. Thread-safe; shared by all connections.
 */
public final class ServerContext {
  private final KvStore store;
  private final ReplicationNode node;
  private final ServerConfig config;
  private final ServerStats stats = new ServerStats();
  private final ClientRegistry clients;
  private final CommandRegistry registry;
  private final long startMillis = System.currentTimeMillis();
  private final String version;
  private volatile int port;
  private volatile boolean stopping;

  /**
   * @param node the replication node owning {@code store} and its WAL, or null for an in-memory
   *     server
   */
  public ServerContext(KvStore store, ReplicationNode node, ServerConfig config, String version) {
    this.store = store;
    this.node = node;
    this.config = config;
    this.version = version;
    this.clients = new ClientRegistry(config.network().maxConnections());
    this.registry = CommandRegistry.standard();
  }

  public KvStore store() {
    return store;
  }

  /** The WAL now (a replica's full sync replaces it), or null for an in-memory server. */
  public SegmentedWal wal() {
    return node == null ? null : node.wal();
  }

  /** The engine underneath, for its statistics (memory, recovery report, shards). */
  public io.kvdb.core.internal.ShardedKvStore engine() {
    KvStore s = node == null ? store : node.currentStore();
    return (io.kvdb.core.internal.ShardedKvStore) s;
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

  public ServerStats stats() {
    return stats;
  }

  public ClientRegistry clients() {
    return clients;
  }

  public CommandRegistry registry() {
    return registry;
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
