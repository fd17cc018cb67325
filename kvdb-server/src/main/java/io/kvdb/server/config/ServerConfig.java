package io.kvdb.server.config;

import java.nio.file.Path;

/**
 * Everything a kvdb-server process is configured with: one typed record, defaults in code,
 * validated once by {@link ConfigLoader}. {@code wal} is null for a purely in-memory server.
 */
public record ServerConfig(
    Engine engine,
    Network network,
    Logging logging,
    Wal wal,
    Replication replication,
    Monitoring monitoring) {

  /** The built-in defaults: 127.0.0.1:3223, WAL in ./data with fsync always. */
  public static ServerConfig defaults() {
    return new ServerConfig(
        Engine.DEFAULT,
        Network.DEFAULT,
        Logging.DEFAULT,
        Wal.DEFAULT,
        Replication.DEFAULT,
        Monitoring.DEFAULT);
  }

  public ServerConfig withNetwork(Network n) {
    return new ServerConfig(engine, n, logging, wal, replication, monitoring);
  }

  public ServerConfig withWal(Wal w) {
    return new ServerConfig(engine, network, logging, w, replication, monitoring);
  }

  public ServerConfig withReplication(Replication r) {
    return new ServerConfig(engine, network, logging, wal, r, monitoring);
  }

  public ServerConfig withMonitoring(Monitoring m) {
    return new ServerConfig(engine, network, logging, wal, replication, m);
  }

  /**
   * @param slowlogLogSlowerThanMicros a command whose handler runs longer than this many
   *     microseconds goes to the SLOWLOG; 0 logs every command, -1 none (Redis'
   *     slowlog-log-slower-than)
   * @param slowlogMaxLen the most SLOWLOG entries kept; the oldest go first
   * @param metricsPort the Prometheus endpoint's port on {@code network.ip}; -1 off, 0 any free
   * @param latencyMonitorThresholdMillis LATENCY records spikes of at least this many ms; 0 none
   */
  public record Monitoring(
      long slowlogLogSlowerThanMicros,
      int slowlogMaxLen,
      int metricsPort,
      long latencyMonitorThresholdMillis) {
    public static final Monitoring DEFAULT = new Monitoring(10_000, 128, -1, 0);

    public Monitoring withMetricsPort(int port) {
      return new Monitoring(
          slowlogLogSlowerThanMicros, slowlogMaxLen, port, latencyMonitorThresholdMillis);
    }
  }

  /**
   * @param type the storage engine; only {@code in_memory}
   * @param shards the shard count, a power of two, or 0 to derive it from the CPU count
   * @param maxMemory the most bytes the data may take; 0 = 75% of the JVM's maximum heap
   */
  public record Engine(String type, int shards, long maxMemory) {
    public static final Engine DEFAULT = new Engine("in_memory", 0, 0);

    /** The limit in force: the configured one, or 75% of the heap for 0. */
    public long effectiveMaxMemory() {
      return maxMemory > 0 ? maxMemory : Runtime.getRuntime().maxMemory() / 4 * 3;
    }
  }

  /**
   * @param ip the address to bind
   * @param port the TCP port (0 picks a free one)
   * @param maxConnections clients served at once; the next one is refused
   * @param maxMessageSize the largest bulk string or inline request, in bytes
   * @param idleTimeoutSeconds close clients idle this long; 0 never
   * @param gracefulShutdownTimeoutSeconds how long shutdown waits for in-flight requests
   * @param password when set, clients must AUTH first
   * @param protectedMode refuse non-loopback clients when bound to a public address without a
   *     password
   * @param maxOutputBuffer disconnect a client whose unsent replies exceed this many bytes; 0 never
   *     (the hard limit of Redis' {@code client-output-buffer-limit normal} class)
   * @param ioThreads event-loop threads serving clients; 0 means half the CPUs, at least 1
   * @param maxPendingReplies stop reading from a client while this many of its replies wait for
   *     their writes to become durable; read again once half of them left
   * @param maxOutputBufferSoft disconnect a client whose unsent replies stay above this many bytes
   *     for {@code maxOutputBufferSoftSeconds}; 0 never (the normal class' soft limit)
   * @param maxOutputBufferSoftSeconds how long the soft limit may be exceeded
   * @param maxQueryBuffer the most bytes of a client's input buffered unparsed; 0 never (Redis'
   *     {@code client-query-buffer-limit})
   */
  public record Network(
      String ip,
      int port,
      int maxConnections,
      long maxMessageSize,
      long idleTimeoutSeconds,
      long gracefulShutdownTimeoutSeconds,
      String password,
      boolean protectedMode,
      long maxOutputBuffer,
      int ioThreads,
      int maxPendingReplies,
      long maxOutputBufferSoft,
      long maxOutputBufferSoftSeconds,
      long maxQueryBuffer) {
    public static final Network DEFAULT =
        new Network(
            "127.0.0.1",
            3223,
            10_000,
            512L << 20,
            0,
            10,
            null,
            true,
            256L << 20,
            0,
            10_000,
            0,
            0,
            1L << 30);

    /** The same with the normal class' output buffer limits replaced. */
    public Network withOutputLimit(long hard, long soft, long softSeconds) {
      return new Network(
          ip,
          port,
          maxConnections,
          maxMessageSize,
          idleTimeoutSeconds,
          gracefulShutdownTimeoutSeconds,
          password,
          protectedMode,
          hard,
          ioThreads,
          maxPendingReplies,
          soft,
          softSeconds,
          maxQueryBuffer);
    }

    public Network withPort(int p) {
      return new Network(
          ip,
          p,
          maxConnections,
          maxMessageSize,
          idleTimeoutSeconds,
          gracefulShutdownTimeoutSeconds,
          password,
          protectedMode,
          maxOutputBuffer,
          ioThreads,
          maxPendingReplies,
          maxOutputBufferSoft,
          maxOutputBufferSoftSeconds,
          maxQueryBuffer);
    }
  }

  /**
   * @param level trace, debug, info, warn or error
   * @param output stdout, stderr, or a file path
   * @param format text or json
   */
  public record Logging(String level, String output, String format) {
    public static final Logging DEFAULT = new Logging("info", "stdout", "text");
  }

  /**
   * @param dataDirectory where segments and snapshots live
   * @param fsync always, everysec or never
   * @param flushBatchSize the most records in one group write
   * @param flushBatchTimeoutMillis how long a group keeps taking records that are still arriving
   * @param maxSegmentSize rotate segment files at this many bytes
   * @param snapshotThreshold snapshot after this many bytes of log; 0 only on demand
   * @param maxPendingBytes records queued for the disk, in bytes, past which the server stops
   *     reading write commands until the disk catches up
   */
  public record Wal(
      Path dataDirectory,
      String fsync,
      int flushBatchSize,
      int flushBatchTimeoutMillis,
      long maxSegmentSize,
      long snapshotThreshold,
      long maxPendingBytes) {
    public static final Wal DEFAULT =
        new Wal(Path.of("data"), "always", 1024, 1, 64L << 20, 256L << 20, 64L << 20);

    public Wal withDirectory(Path dir) {
      return new Wal(
          dir,
          fsync,
          flushBatchSize,
          flushBatchTimeoutMillis,
          maxSegmentSize,
          snapshotThreshold,
          maxPendingBytes);
    }

    public Wal withFsync(String policy) {
      return new Wal(
          dataDirectory,
          policy,
          flushBatchSize,
          flushBatchTimeoutMillis,
          maxSegmentSize,
          snapshotThreshold,
          maxPendingBytes);
    }

    public Wal withMaxPendingBytes(long bytes) {
      return new Wal(
          dataDirectory,
          fsync,
          flushBatchSize,
          flushBatchTimeoutMillis,
          maxSegmentSize,
          snapshotThreshold,
          bytes);
    }
  }

  /**
   * @param role master or slave
   * @param masterAddress on a master, the address it accepts slaves on; on a slave, its master's
   * @param masterPort on a master, the port it accepts slaves on (0: any free one); on a slave, its
   *     master's replication port
   * @param slaveId this node's id as a slave; null: generated once, kept in the data directory
   * @param masterPassword the password a slave presents to its master (the master checks it against
   *     its network.password); null for none
   * @param heartbeatMillis how often each side sends a heartbeat when idle
   * @param timeoutSeconds a replication link silent this long is dropped
   * @param backoffMinMillis a slave's first reconnect delay (then doubling, jittered)
   * @param backoffMaxMillis a slave's longest reconnect delay
   * @param historyRetained the most bytes of compacted log a master keeps for slaves that are
   *     behind or disconnected (past it they need a full sync)
   * @param resyncOverDivergence whether a slave accepts a full sync that replaces data its master's
   *     history does not contain (default false: it refuses and keeps its data)
   * @param listenPort the port a slave accepts its own slaves on once promoted (on network.ip), -1
   *     for none
   * @param minSlavesToWrite a master refuses writes (NOREPLICAS) unless this many slaves are online
   *     and acknowledged within minSlavesMaxLagSeconds; 0 for no requirement
   * @param minSlavesMaxLagSeconds see minSlavesToWrite
   * @param ackSlaves semi-synchronous: a write is acknowledged only once durable here and on this
   *     many slaves; 0 for asynchronous
   * @param ackTimeoutMillis how long a semi-synchronous write waits for its slaves before it fails
   *     with NOREPLICAS
   * @param announcePort the client port a slave announces to its master (Redis'
   *     replica-announce-port: behind NAT or a container's port mapping); 0 for its own
   */
  public record Replication(
      String role,
      String masterAddress,
      int masterPort,
      String slaveId,
      String masterPassword,
      long heartbeatMillis,
      long timeoutSeconds,
      long backoffMinMillis,
      long backoffMaxMillis,
      long historyRetained,
      boolean resyncOverDivergence,
      int listenPort,
      int minSlavesToWrite,
      long minSlavesMaxLagSeconds,
      int ackSlaves,
      long ackTimeoutMillis,
      int announcePort) {
    public static final Replication DEFAULT =
        new Replication(
            "master",
            "127.0.0.1",
            3333,
            null,
            null,
            1000,
            60,
            100,
            30_000,
            1L << 30,
            false,
            -1,
            0,
            10,
            0,
            10_000,
            0);

    /** The same settings with other link timings (tests use short ones). */
    public Replication withLinkTiming(
        long heartbeat, long timeoutSecs, long backoffMin, long backoffMax, int listen) {
      return new Replication(
          role,
          masterAddress,
          masterPort,
          slaveId,
          masterPassword,
          heartbeat,
          timeoutSecs,
          backoffMin,
          backoffMax,
          historyRetained,
          resyncOverDivergence,
          listen,
          minSlavesToWrite,
          minSlavesMaxLagSeconds,
          ackSlaves,
          ackTimeoutMillis,
          announcePort);
    }

    public Replication withRole(String r, String address, int port) {
      return new Replication(
          r,
          address,
          port,
          slaveId,
          masterPassword,
          heartbeatMillis,
          timeoutSeconds,
          backoffMinMillis,
          backoffMaxMillis,
          historyRetained,
          resyncOverDivergence,
          listenPort,
          minSlavesToWrite,
          minSlavesMaxLagSeconds,
          ackSlaves,
          ackTimeoutMillis,
          announcePort);
    }
  }
}
