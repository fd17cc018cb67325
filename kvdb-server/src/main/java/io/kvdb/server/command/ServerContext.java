package io.kvdb.server.command;

import io.kvdb.core.KvStore;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.wal.SegmentedWal;

/**
 * What every command can reach: the store, its WAL (null when in memory), the config, the clients
 * and the counters. Thread-safe; shared by all connections.
 */
public final class ServerContext {
  private final KvStore store;
  private final SegmentedWal wal;
  private final ServerConfig config;
  private final ServerStats stats = new ServerStats();
  private final ClientRegistry clients;
  private final CommandRegistry registry;
  private final long startMillis = System.currentTimeMillis();
  private final String version;
  private volatile int port;
  private volatile boolean stopping;

  public ServerContext(KvStore store, SegmentedWal wal, ServerConfig config, String version) {
    this.store = store;
    this.wal = wal;
    this.config = config;
    this.version = version;
    this.clients = new ClientRegistry(config.network().maxConnections());
    this.registry = CommandRegistry.standard();
  }

  public KvStore store() {
    return store;
  }

  public SegmentedWal wal() {
    return wal;
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
    return wal != null && config.wal() != null && config.wal().fsync().equals("always");
  }
}
