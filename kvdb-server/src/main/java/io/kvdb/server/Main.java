package io.kvdb.server;

import io.kvdb.server.config.ConfigException;
import io.kvdb.server.config.ConfigLoader;
import io.kvdb.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    description = "Runs the kvdb key-value server (Redis protocol).")
public final class Main implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "PATH",
      description =
          "YAML config file (default: $CONFIG_FILEPATH, else ./config.yaml if present, else built-in defaults)")
  Path config;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
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
    LoggingSetup.apply(cfg.logging());
    Logger log = LoggerFactory.getLogger(Main.class);
    installFatalErrorHandler(log);
    log.info("configuration: {}", source);
    KvdbServer server;
    try {
      server = KvdbServer.start(cfg);
    } catch (Exception e) {
      log.error("kvdb-server could not start: {}", e.getMessage());
      return 1;
    }
    server.context().configFile(source.equals("built-in defaults") ? "" : source);
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          server.shutdown();
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
