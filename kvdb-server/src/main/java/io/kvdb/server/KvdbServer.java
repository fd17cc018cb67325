package io.kvdb.server;

import io.kvdb.core.KvStore;
import io.kvdb.core.KvStoreBuilder;
import io.kvdb.replication.ReplicationNode;
import io.kvdb.replication.ReplicationNodeBuilder;
import io.kvdb.server.command.RuntimeConfig;
import io.kvdb.server.command.ServerContext;
import io.kvdb.server.commands.CommandFamilies;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.metrics.MetricsEndpoint;
import io.kvdb.server.netty.KvdbChannelInitializer;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.SegmentedWalBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's lifecycle: opens the store (replaying its WAL), binds the port, and shuts down in
 * order. Wiring only; commands live in {@code io.kvdb.server.command}, the protocol in {@code
 * io.kvdb.server.netty}.
 *
 * <p>Shutdown: stop accepting, stop reading, wait (up to the graceful timeout) for in-flight
 * replies (writes waiting for their fsync), close the clients, then flush, fsync and close the WAL,
 * and stop the event loops. Each step is logged. Thread-safe; shutdown is idempotent.
 */
public final class KvdbServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KvdbServer.class);

  private final ServerConfig config;
  private final KvStore store;
  private final ReplicationNode node;
  private final ServerContext context;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Channel serverChannel;
  private final MetricsEndpoint metrics; // null when monitoring.metrics_port is -1

  private KvdbServer(ServerConfig config, UnaryOperator<SegmentedWalBuilder> walCustomizer)
      throws InterruptedException {
    this.config = config;
    RuntimeConfig runtime = new RuntimeConfig(config);
    if (config.wal() == null) {
      this.node = null;
      this.store = storeSettings(KvStore.builder(), config, runtime).build();
      this.context =
          new ServerContext(store, null, config, runtime, version(), CommandFamilies.standard());
    } else {
      this.node = openNode(config, runtime, walCustomizer);
      this.store = node.store();
      this.context =
          new ServerContext(store, node, config, runtime, version(), CommandFamilies.standard());
    }

    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.boss = new MultiThreadIoEventLoopGroup(1, io);
    this.workers = new MultiThreadIoEventLoopGroup(ioThreads(config), io);
    context.ioThreads(ioThreads(config));
    // Redis' instantaneous rates: a sample every 100 ms (on one event loop; it takes microseconds),
    // and once a second the longest WAL fsync for LATENCY.
    workers
        .next()
        .scheduleAtFixedRate(
            () -> {
              var wal = context.segmentedWal();
              context
                  .stats()
                  .sample(wal == null ? () -> 0 : wal::takeMaxFsyncNanos, context.latency());
            },
            100,
            100,
            TimeUnit.MILLISECONDS);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 511)
            .option(ChannelOption.SO_REUSEADDR, true) // restart on the same port right away
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            // A client that shuts down its sending side still gets every reply (nc, scripts).
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(new KvdbChannelInitializer(context, inFlight, clients));
    try {
      this.serverChannel = b.bind(config.network().ip(), config.network().port()).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      closeStore();
      throw e;
    }
    context.port(port());
    if (node != null) {
      // A master shows its slaves' client ports, as Redis does (or the configured one).
      node.announcePort(runtime.announcedPort(port()));
    }
    this.metrics = startMetrics(config, context);
    context.onShutdownRequest(() -> new Thread(this::shutdown, "kvdb-shutdown").start());
    log.info(
        "kvdb-server {} listening on {}:{} (transport {}); data directory {}, fsync {}, role {}, {} shards",
        version(),
        config.network().ip(),
        port(),
        epoll ? "epoll" : "nio",
        config.wal() == null ? "none (in memory)" : config.wal().dataDirectory().toAbsolutePath(),
        config.wal() == null ? "n/a" : config.wal().fsync(),
        node == null
            ? "master (no replication without a WAL)"
            : config.replication().role()
                + (node.status().listenPort() > 0
                    ? ", accepting slaves on port " + node.status().listenPort()
                    : ""),
        context.engine().shardCount());
    if (!isLoopback(config.network().ip()) && config.network().password() == null) {
      log.warn(
          config.network().protectedMode()
              ? "bound to {} without a password: protected mode refuses clients that are not on loopback"
              : "bound to {} without a password and protected mode off: anyone who can reach this port can read and write every key",
          config.network().ip());
    }
  }

  private static int ioThreads(ServerConfig config) {
    int n = config.network().ioThreads();
    // Half the CPUs by default: the other half is for the WAL writer, GC and JIT, and whatever else
    // shares the machine (clients, the embedding app). On 2 CPUs one loop beat two by 12% at
    // redis-benchmark -P 16 with fewer context switches, and tied at -P 1 (docs/benchmarks.md).
    return n > 0 ? n : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** Opens the store and starts serving. */
  public static KvdbServer start(ServerConfig config) throws InterruptedException {
    return new KvdbServer(config, b -> b);
  }

  /**
   * Opens the store and starts serving, letting the caller adjust the WAL beyond the config (tests
   * inject faults with {@link SegmentedWalBuilder#faults}).
   */
  public static KvdbServer start(
      ServerConfig config, UnaryOperator<SegmentedWalBuilder> walCustomizer)
      throws InterruptedException {
    return new KvdbServer(config, walCustomizer);
  }

  /** The store's settings; a replica's full sync builds its new store with them again. */
  private static KvStoreBuilder storeSettings(
      KvStoreBuilder sb, ServerConfig config, RuntimeConfig runtime) {
    sb.maxKeySize((int) config.network().maxMessageSize())
        .maxValueSize((int) config.network().maxMessageSize())
        .maxMemory(runtime.maxMemory()) // CONFIG SET maxmemory may have changed it
        // The event loops must never block: instead of waiting for room in the log, a connection
        // stops reading while the log is full (ConnectionHandler).
        .asyncWritesWaitForLog(false)
        // The request decoder makes a fresh array per argument and nothing changes one after:
        // the log may keep them (one copy less per SET).
        .adoptArrays(true);
    if (config.engine().shards() > 0) {
      sb.shards(config.engine().shards());
    }
    return sb;
  }

  /**
   * The replicated store of a server with a WAL: a master accepts slaves on {@code
   * replication.master_address:master_port}; a slave follows the master there (and, once promoted,
   * accepts slaves on {@code replication.listen_port} if set).
   */
  private static ReplicationNode openNode(
      ServerConfig config,
      RuntimeConfig runtime,
      UnaryOperator<SegmentedWalBuilder> walCustomizer) {
    ServerConfig.Replication r = config.replication();
    ServerConfig.Wal w = config.wal();
    ReplicationNodeBuilder b =
        ReplicationNode.builder()
            .dataDirectory(w.dataDirectory())
            .wal(
                wb -> walCustomizer.apply(walSettings(wb, w).maxRetainedBytes(r.historyRetained())))
            .store(sb -> storeSettings(sb, config, runtime))
            .password(config.network().password())
            .protectedMode(config.network().protectedMode())
            .masterPassword(r.masterPassword())
            .slaveId(r.slaveId())
            .resyncOverDivergence(r.resyncOverDivergence())
            .heartbeat(Duration.ofMillis(r.heartbeatMillis()))
            .timeout(Duration.ofSeconds(r.timeoutSeconds()))
            .backoff(
                Duration.ofMillis(r.backoffMinMillis()), Duration.ofMillis(r.backoffMaxMillis()))
            .minSlaves(r.minSlavesToWrite(), Duration.ofSeconds(r.minSlavesMaxLagSeconds()))
            .ackSlaves(r.ackSlaves(), Duration.ofMillis(r.ackTimeoutMillis()));
    if (r.announcePort() > 0) {
      b.announcePort(r.announcePort());
    } else if (config.network().port() > 0) {
      b.announcePort(config.network().port()); // known before the first HELLO
    }
    if (r.role().equals("slave")) {
      b.replicaOf(r.masterAddress(), r.masterPort());
      if (r.listenPort() >= 0) {
        b.listen(config.network().ip(), r.listenPort());
      }
    } else {
      b.listen(r.masterAddress(), r.masterPort());
    }
    try {
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the data directory or the replication port ("
              + r.masterAddress()
              + ":"
              + r.masterPort()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static SegmentedWalBuilder walSettings(SegmentedWalBuilder b, ServerConfig.Wal w) {
    return b.fsync(FsyncPolicy.valueOf(w.fsync().toUpperCase(Locale.ROOT)))
        .batchSize(w.flushBatchSize())
        .batchTimeout(Duration.ofMillis(w.flushBatchTimeoutMillis()))
        .segmentSize(w.maxSegmentSize())
        .snapshotThreshold(w.snapshotThreshold())
        .maxPendingBytes(w.maxPendingBytes());
  }

  /** The replication node, or null for an in-memory server. */
  public ReplicationNode replication() {
    return node;
  }

  private static boolean isLoopback(String ip) {
    try {
      return InetAddress.getByName(ip).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The Prometheus endpoint's port, or -1 when it is off. */
  public int metricsPort() {
    return metrics == null ? -1 : metrics.port();
  }

  private static MetricsEndpoint startMetrics(ServerConfig config, ServerContext context) {
    int port = config.monitoring().metricsPort();
    if (port < 0) {
      return null;
    }
    try {
      MetricsEndpoint m = MetricsEndpoint.start(context, config.network().ip(), port);
      log.info(
          "metrics: Prometheus endpoint on http://{}:{}/metrics", config.network().ip(), m.port());
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve metrics on port " + port + " (monitoring.metrics_port): " + e.getMessage(),
          e);
    }
  }

  public KvStore store() {
    return store;
  }

  public ServerContext context() {
    return context;
  }

  /** Graceful shutdown, as described on the class. Idempotent. */
  public void shutdown() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    long deadline =
        System.nanoTime()
            + TimeUnit.SECONDS.toNanos(config.network().gracefulShutdownTimeoutSeconds());
    context.stopping(true);
    step("no longer accepting connections");
    serverChannel.close().syncUninterruptibly();
    if (metrics != null) {
      metrics.close();
    }
    step("stopped reading requests; waiting for " + inFlight.get() + " in-flight replies");
    clients.forEach(ch -> ch.config().setAutoRead(false));
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    if (inFlight.get() > 0) {
      log.warn("shutdown: {} replies still in flight at the graceful timeout", inFlight.get());
    }
    step("closing " + clients.size() + " client connections");
    clients
        .close()
        .awaitUninterruptibly(
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    step("flushing, fsyncing and closing the store (last LSN " + store.lastLsn() + ")");
    try {
      closeStore();
    } catch (RuntimeException e) {
      log.error("shutdown: closing the store failed: {}", e.toString());
    }
    step("stopping event loops");
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    step("complete");
  }

  private volatile String shutdownStep = "not started";

  private void step(String what) {
    shutdownStep = what;
    log.info("shutdown: {}", what);
  }

  /** The step shutdown is at (for the watchdog that halts a shutdown that hangs). */
  public String shutdownStep() {
    return shutdownStep;
  }

  /**
   * Fsyncs what the log has written, waiting at most {@code millis}: the last thing a halting
   * process does. Returns whether it finished in time.
   */
  public boolean syncWritten(long millis) {
    var wal = node == null ? null : node.wal(); // no node: in memory, nothing to sync
    if (wal == null) {
      return true;
    }
    try {
      wal.whenSynced(wal.durableLsn()).get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private void closeStore() {
    if (node != null) {
      node.close(); // the replication links, then the store
    } else {
      store.close();
    }
  }

  @Override
  public void close() {
    shutdown();
  }

  /** This build's version, from the jar. */
  public static String version() {
    try (InputStream in = KvdbServer.class.getResourceAsStream("/kvdb-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
