package io.kvdb.server.command;

import io.kvdb.server.config.ServerConfig;

/**
 * The settings CONFIG SET can change while the server runs, starting from the config file's values:
 * {@code maxclients}, {@code requirepass}, {@code timeout}, {@code protected-mode}, {@code
 * maxmemory}, {@code client-output-buffer-limit}, {@code client-query-buffer-limit}, {@code
 * replica-announce-port}. Everything else in {@link ServerConfig} is fixed for the life of the
 * process (CONFIG SET refuses it as Redis refuses an immutable parameter). Each value is one
 * volatile field: a change is seen by the next connection, command or write that reads it.
 * Thread-safe.
 */
public final class RuntimeConfig {
  private volatile int maxClients;
  private volatile String password;
  private volatile long idleTimeoutSeconds;
  private volatile boolean protectedMode;
  private volatile long maxMemory;
  private volatile OutputLimit normalOutput;
  private volatile OutputLimit replicaOutput = new OutputLimit(256L << 20, 64L << 20, 60);
  private volatile OutputLimit pubsubOutput = new OutputLimit(32L << 20, 8L << 20, 60);
  private volatile long maxQueryBuffer;
  private volatile int announcePort;

  /**
   * One class of Redis' {@code client-output-buffer-limit}: a client whose unsent replies pass
   * {@code hard} bytes, or stay above {@code soft} bytes for {@code softSeconds}, is disconnected;
   * 0 turns a limit off.
   */
  public record OutputLimit(long hard, long soft, long softSeconds) {
    public boolean none() {
      return hard == 0 && soft == 0;
    }

    @Override
    public String toString() {
      return hard + " " + soft + " " + softSeconds;
    }
  }

  public RuntimeConfig(ServerConfig config) {
    ServerConfig.Network n = config.network();
    this.maxClients = n.maxConnections();
    this.password = n.password();
    this.idleTimeoutSeconds = n.idleTimeoutSeconds();
    this.protectedMode = n.protectedMode();
    this.maxMemory = config.engine().effectiveMaxMemory();
    this.normalOutput =
        new OutputLimit(
            n.maxOutputBuffer(), n.maxOutputBufferSoft(), n.maxOutputBufferSoftSeconds());
    this.maxQueryBuffer = n.maxQueryBuffer();
    this.announcePort = config.replication().announcePort();
  }

  /**
   * Redis' {@code replica-announce-port}: the client port this node announces to its master, 0 for
   * its own.
   */
  public int announcePort() {
    return announcePort;
  }

  /** The port to announce, given this node's own client port. */
  public int announcedPort(int own) {
    int p = announcePort;
    return p > 0 ? p : own;
  }

  public void announcePort(int port) {
    this.announcePort = port;
  }

  /**
   * The output limits of client connections (Redis' normal class; MONITOR clients belong to it, as
   * in Redis).
   */
  public OutputLimit normalOutput() {
    return normalOutput;
  }

  /**
   * Redis' replica class, kept for CONFIG GET/SET. A kvdb master holds at most one frame per slave
   * in memory (it streams from the log files), so nothing here needs the limit; a slave that stops
   * reading is dropped after {@code replication.timeout}.
   */
  public OutputLimit replicaOutput() {
    return replicaOutput;
  }

  /** Redis' pubsub class, kept for CONFIG GET/SET: kvdb has no Pub/Sub commands. */
  public OutputLimit pubsubOutput() {
    return pubsubOutput;
  }

  /** The most bytes a client's unparsed input may take; 0 for no limit. */
  public long maxQueryBuffer() {
    return maxQueryBuffer;
  }

  public void outputLimits(OutputLimit normal, OutputLimit replica, OutputLimit pubsub) {
    if (normal != null) {
      normalOutput = normal;
    }
    if (replica != null) {
      replicaOutput = replica;
    }
    if (pubsub != null) {
      pubsubOutput = pubsub;
    }
  }

  public void maxQueryBuffer(long value) {
    maxQueryBuffer = value;
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

  public void maxClients(int value) {
    maxClients = value;
  }

  public void password(String value) {
    password = value;
  }

  public void idleTimeoutSeconds(long value) {
    idleTimeoutSeconds = value;
  }

  public void protectedMode(boolean value) {
    protectedMode = value;
  }

  public void maxMemory(long value) {
    maxMemory = value;
  }
}
