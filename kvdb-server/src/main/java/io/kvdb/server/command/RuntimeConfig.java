package io.kvdb.server.command;

import io.kvdb.server.config.ServerConfig;

/**
 * The settings CONFIG SET can change while the server runs, starting from the config file's values:
 * {@code maxclients}, {@code requirepass}, {@code timeout}, {@code protected-mode}, {@code
 * maxmemory}. Everything else in {@link ServerConfig} is fixed for the life of the process (CONFIG
 * SET refuses it as Redis refuses an immutable parameter). Each value is one volatile field: a
 * change is seen by the next connection, command or write that reads it. Thread-safe.
 */
public final class RuntimeConfig {
  private volatile int maxClients;
  private volatile String password;
  private volatile long idleTimeoutSeconds;
  private volatile boolean protectedMode;
  private volatile long maxMemory;

  public RuntimeConfig(ServerConfig config) {
    ServerConfig.Network n = config.network();
    this.maxClients = n.maxConnections();
    this.password = n.password();
    this.idleTimeoutSeconds = n.idleTimeoutSeconds();
    this.protectedMode = n.protectedMode();
    this.maxMemory = config.engine().effectiveMaxMemory();
  }

  public int maxClients() {
    return maxClients;
  }

  /** The client password, or null when none is required. */
  public String password() {
    return password;
  }

  /** Seconds of inactivity after which a new connection is closed; 0 never. */
  public long idleTimeoutSeconds() {
    return idleTimeoutSeconds;
  }

  public boolean protectedMode() {
    return protectedMode;
  }

  /** The memory limit of the data in bytes, 0 for none. */
  public long maxMemory() {
    return maxMemory;
  }

  void maxClients(int value) {
    maxClients = value;
  }

  void password(String value) {
    password = value;
  }

  void idleTimeoutSeconds(long value) {
    idleTimeoutSeconds = value;
  }

  void protectedMode(boolean value) {
    protectedMode = value;
  }

  void maxMemory(long value) {
    maxMemory = value;
  }
}
