package io.kvdb.server;

import io.kvdb.server.config.ConfigException;
import io.kvdb.server.config.ConfigLoader;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.wal.SegmentedWalBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar kvdb-server.jar [--config PATH]}. The config comes from {@code --config}, else
 * the {@code CONFIG_FILEPATH} environment variable, else {@code ./config.yaml} if present, else the
 * built-in defaults. SIGTERM and SIGINT shut down gracefully and exit 0.
 */
@Command(
    name = "kvdb-server",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = Repair.class,
    description = "Runs the kvdb key-value server (Redis protocol).")
public final class Main implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "PATH",
      description =
          "YAML config file (default: $CONFIG_FILEPATH, else ./config.yaml if present, else built-in defaults)")
  Path config;

  public static void main(String[] args) throws Exception {
    // Netty records JFR events for its allocator when JFR is there; loading JFR is a visible part
    // of start-up (docs/benchmarks.md) for events nobody asked for. -Dio.netty.jfr.enabled=true
    // brings them back.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    // The README's command has no arguments: picocli's model (reflection over the options and
    // the subcommand) is a large part of start-up (docs/benchmarks.md), so it is built only when
    // there is something to parse.
    System.exit(args.length == 0 ? new Main().call() : new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg;
    String source;
    try {
      Path file = resolveConfig();
      cfg = file == null ? ServerConfig.defaults() : ConfigLoader.load(file);
      source = file == null ? "built-in defaults" : file.toString();
    } catch (ConfigException e) {
      System.err.println("kvdb-server: " + e.getMessage());
      return 2;
    }
    return serve(cfg, source, wal -> wal);
  }

  /**
   * Runs the server until SIGTERM, SIGINT or SHUTDOWN, with the signal handlers, the shutdown
   * watchdog and the fatal-error handler of the real process; {@code walCustomizer} lets a test's
   * own main inject disk faults ({@link SegmentedWalBuilder#faults}).
   */
  static int serve(
      ServerConfig cfg, String source, UnaryOperator<SegmentedWalBuilder> walCustomizer)
      throws InterruptedException {
    LoggingSetup.apply(cfg.logging());
    Logger log = LoggerFactory.getLogger(Main.class);
    installFatalErrorHandler(log);
    log.info("configuration: {}", source);
    KvdbServer server;
    try {
      server = KvdbServer.start(cfg, walCustomizer);
    } catch (Exception e) {
      log.error("kvdb-server could not start: {}", e.getMessage());
      return 1;
    }
    server.context().configFile(source.equals("built-in defaults") ? "" : source);
    CountDownLatch stopped = new CountDownLatch(1);
    long limitSeconds = cfg.network().gracefulShutdownTimeoutSeconds() + SHUTDOWN_MARGIN_SECONDS;
    Runnable stop =
        () -> {
          Thread watchdog = shutdownWatchdog(log, server, limitSeconds);
          server.shutdown();
          watchdog.interrupt();
          stopped.countDown();
        };
    installSignalHandlers(log, stop);
    server.context().onShutdownRequest(() -> new Thread(stop, "kvdb-shutdown").start());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "kvdb-shutdown-hook"));
    stopped.await();
    return 0;
  }

  private Path resolveConfig() {
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new ConfigException("config file " + config + " (from --config) does not exist");
      }
      return config;
    }
    String env = System.getenv("CONFIG_FILEPATH");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isRegularFile(p)) {
        throw new ConfigException("config file " + p + " (from CONFIG_FILEPATH) does not exist");
      }
      return p;
    }
    Path local = Path.of("config.yaml");
    return Files.isRegularFile(local) ? local : null;
  }

  /** Seconds a shutdown may take past graceful_shutdown_timeout before the process halts. */
  static final long SHUTDOWN_MARGIN_SECONDS = 10;

  /** The exit status of a shutdown that did not finish in time. */
  static final int SHUTDOWN_HALT_STATUS = 4;

  /**
   * {@code graceful_shutdown_timeout} is a promise: a shutdown still running {@value
   * #SHUTDOWN_MARGIN_SECONDS} s past it (an event loop or the disk stuck) is cut short — what the
   * log has written is fsynced (at most 2 s), the step it hung in is logged, and the process halts
   * with status {@value #SHUTDOWN_HALT_STATUS}. Nothing acknowledged is lost: every acknowledged
   * write is in the log, which the next start recovers.
   */
  private static Thread shutdownWatchdog(Logger log, KvdbServer server, long limitSeconds) {
    Thread t =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
              while (System.nanoTime() < deadline) {
                LockSupport.parkNanos(deadline - System.nanoTime());
                if (Thread.currentThread().isInterrupted()) {
                  return; // the shutdown finished
                }
              }
              log.error(
                  "shutdown: not finished {} s after it began (stuck at: {}); fsyncing what was"
                      + " written and halting with status {}",
                  limitSeconds,
                  server.shutdownStep(),
                  SHUTDOWN_HALT_STATUS);
              boolean synced = server.syncWritten(2_000);
              if (!synced) {
                log.error("shutdown: the final fsync did not finish within 2 s");
              }
              Runtime.getRuntime().halt(SHUTDOWN_HALT_STATUS);
            },
            "kvdb-shutdown-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The exit status after an OutOfMemoryError escaped a thread. */
  static final int OUT_OF_MEMORY_STATUS = 3;

  /**
   * An error that escapes any thread is logged, never only printed to stderr. An OutOfMemoryError
   * halts the process with status {@value #OUT_OF_MEMORY_STATUS}: a JVM out of heap may have lost a
   * thread the server needs (a replication session, the log's writer), and a half-working server is
   * worse than a restart, which recovers every acknowledged write from the log.
   */
  private static void installFatalErrorHandler(Logger log) {
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> {
          if (e instanceof OutOfMemoryError) {
            try {
              log.error(
                  "out of memory in thread {} ({}): exiting with status {}",
                  thread.getName(),
                  e.getMessage(),
                  OUT_OF_MEMORY_STATUS);
            } finally {
              Runtime.getRuntime().halt(OUT_OF_MEMORY_STATUS);
            }
          }
          log.error("uncaught error in thread {}", thread.getName(), e);
        });
  }

  /** TERM and INT run the graceful shutdown on their own thread, then the process exits 0. */
  @SuppressWarnings("removal")
  private static void installSignalHandlers(Logger log, Runnable stop) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            sig -> {
              log.info("received SIG{}: shutting down", name);
              new Thread(stop, "kvdb-shutdown").start();
            });
      } catch (IllegalArgumentException e) {
        log.debug("cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
  }

  /** Reports the version from the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kvdb-server " + KvdbServer.version()};
    }
  }
}
