package io.kvdb.replication;

import io.kvdb.core.KvStoreBuilder;
import io.kvdb.core.spi.LogFactory;
import io.kvdb.wal.SegmentedWal;
import io.kvdb.wal.SegmentedWalBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Builds a {@link ReplicationNode}; every setter rejects a bad value at once, naming it. */
public final class ReplicationNodeBuilder {
  Path dataDirectory;
  private LogFactory logFactory;
  int announcePort;
  UnaryOperator<KvStoreBuilder> store = s -> s;
  String listenHost;
  int listenPort;
  String password;
  boolean protectedMode = true;
  String masterHost;
  int masterPort;
  String masterPassword;
  String slaveId;
  boolean resyncOverDivergence;
  Duration heartbeat = Duration.ofSeconds(1);
  Duration timeout = Duration.ofSeconds(60);
  Duration backoffMin = Duration.ofMillis(100);
  Duration backoffMax = Duration.ofSeconds(30);
  int minSlaves;
  Duration minSlavesMaxLag = Duration.ofSeconds(10);
  int ackSlaves;
  Duration ackTimeout = Duration.ofSeconds(10);

  ReplicationNodeBuilder() {}

  /**
   * As a master, refuse writes ({@link NotEnoughReplicasException}, Redis' NOREPLICAS) unless at
   * least {@code slaves} slaves are online and acknowledged within {@code maxLag} (Redis'
   * min-replicas-to-write and min-replicas-max-lag). Default: 0, no requirement.
   */
  public ReplicationNodeBuilder minSlaves(int slaves, Duration maxLag) {
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
  public ReplicationNodeBuilder ackSlaves(int slaves, Duration timeout) {
    if (slaves < 0 || slaves > 1000) {
      throw new IllegalArgumentException("ackSlaves must be from 0 to 1000, got " + slaves);
    }
    this.ackSlaves = slaves;
    this.ackTimeout =
        range("ackSlaves timeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
    return this;
  }

  /** The data directory (the WAL's). Required. */
  public ReplicationNodeBuilder dataDirectory(Path dir) {
    if (dir == null) {
      throw new NullPointerException("dataDirectory must not be null");
    }
    this.dataDirectory = dir;
    return this;
  }

  /**
   * Adjusts the WAL of every store the node opens (fsync, sizes...); the directory is set. The
   * node's logs are then kvdb-wal's {@code SegmentedWal}s (the default, with default settings):
   * {@code SegmentedWal.factory(adjust)}.
   */
  public ReplicationNodeBuilder wal(UnaryOperator<SegmentedWalBuilder> adjust) {
    this.logFactory = SegmentedWal.factory(Objects.requireNonNull(adjust, "wal must not be null"));
    return this;
  }

  /** Makes the node's logs with {@code factory} (another log implementation). */
  public ReplicationNodeBuilder logFactory(LogFactory factory) {
    this.logFactory = Objects.requireNonNull(factory, "logFactory must not be null");
    return this;
  }

  /** The factory of the node's logs. */
  LogFactory logFactory() {
    if (logFactory == null) {
      logFactory = SegmentedWal.factory(w -> w);
    }
    return logFactory;
  }

  /** Adjusts every store the node opens (shards, limits...); the WAL is set. */
  public ReplicationNodeBuilder store(UnaryOperator<KvStoreBuilder> adjust) {
    this.store = Objects.requireNonNull(adjust, "store must not be null");
    return this;
  }

  /** As a master, accept slaves on {@code host:port} (port 0: any free one). Default: none. */
  public ReplicationNodeBuilder listen(String host, int port) {
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
  public ReplicationNodeBuilder password(String password) {
    this.password = password;
    return this;
  }

  /**
   * Protected mode for the slaves' port, as on a server's client port: with no password and a
   * non-loopback {@link #listen} address, only loopback peers may connect. Default: on.
   */
  public ReplicationNodeBuilder protectedMode(boolean on) {
    this.protectedMode = on;
    return this;
  }

  /**
   * The client port this node announces to its master as a slave (Redis' replica-announce-port), so
   * that the master's INFO lists an address clients can use. Default: 0, none.
   */
  public ReplicationNodeBuilder announcePort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("announcePort must be 0..65535, got " + port);
    }
    this.announcePort = port;
    return this;
  }

  /** Start as a slave of {@code host:port}. Default: start as a master. */
  public ReplicationNodeBuilder replicaOf(String host, int port) {
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
  public ReplicationNodeBuilder masterPassword(String password) {
    this.masterPassword = password;
    return this;
  }

  /** This node's id as a slave. Default: generated once and kept in the data directory. */
  public ReplicationNodeBuilder slaveId(String id) {
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
  public ReplicationNodeBuilder resyncOverDivergence(boolean allow) {
    this.resyncOverDivergence = allow;
    return this;
  }

  /** How often each side sends a heartbeat when idle (10 ms to 60 s; default 1 s). */
  public ReplicationNodeBuilder heartbeat(Duration d) {
    this.heartbeat = range("heartbeat", d, Duration.ofMillis(10), Duration.ofSeconds(60));
    return this;
  }

  /** A link silent this long is dead (100 ms to 1 h; default 60 s, as Redis' repl-timeout). */
  public ReplicationNodeBuilder timeout(Duration d) {
    this.timeout = range("timeout", d, Duration.ofMillis(100), Duration.ofHours(1));
    return this;
  }

  /** Reconnect delays of a slave: from {@code min}, doubling, capped at {@code max}, jittered. */
  public ReplicationNodeBuilder backoff(Duration min, Duration max) {
    this.backoffMin = range("backoff min", min, Duration.ofMillis(1), Duration.ofMinutes(10));
    this.backoffMax = range("backoff max", max, min, Duration.ofHours(1));
    return this;
  }

  private static Duration range(String name, Duration d, Duration lo, Duration hi) {
    if (d == null || d.compareTo(lo) < 0 || d.compareTo(hi) > 0) {
      throw new IllegalArgumentException(name + " must be from " + lo + " to " + hi + ", got " + d);
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
