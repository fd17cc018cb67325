package io.kvdb.server.testing;

import io.kvdb.server.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A real server in a child JVM, for tests that kill it (SIGKILL) or stop it (SIGTERM). Its config
 * should say {@code port: 0}, log level info and output stdout: the port is read from the
 * "listening on" line. Every output line is kept for assertions. Closing kills it if still alive.
 */
public final class ChildServer implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

  private final Process process;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private volatile int port = -1;

  private ChildServer(Process process) {
    this.process = process;
  }

  /**
   * Writes a config for a child server: any free client port, info logging to stdout (the port is
   * read from it), a WAL in {@code data} with fsync always, then {@code more} lines — further
   * {@code wal} keys (indented by two spaces) and then other sections.
   */
  public static Path config(Path file, Path data, String... more) throws IOException {
    return configWithFsync(file, data, "always", more);
  }

  /** As {@link #config}, with the WAL's fsync policy given. */
  public static Path configWithFsync(Path file, Path data, String fsync, String... more)
      throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("network:");
    lines.add("  port: 0");
    lines.add("logging:");
    lines.add("  level: info");
    lines.add("wal:");
    lines.add("  data_directory: " + data);
    lines.add("  fsync: " + fsync);
    lines.addAll(List.of(more));
    if (!lines.contains("replication:")) {
      // A master's replication port: any free one, so child servers never race for 3333.
      lines.add("replication:");
      lines.add("  master_port: 0");
    }
    java.nio.file.Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  public static ChildServer start(Path config) throws IOException {
    return start(config, "-Xmx512m");
  }

  /** Starts a child server with these JVM options (a heap size, a direct memory bound). */
  public static ChildServer start(Path config, String... jvmOptions) throws IOException {
    return launch(Main.class.getName(), List.of("--config", config.toString()), jvmOptions);
  }

  /**
   * Starts a test's own main class (one that runs the server with faults injected) in a child JVM
   * with the test classpath; its output must carry the "listening on" line.
   */
  public static ChildServer startMain(String mainClass, List<String> args, String... jvmOptions)
      throws IOException {
    return launch(mainClass, args, jvmOptions);
  }

  private static ChildServer launch(String mainClass, List<String> args, String... jvmOptions)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // A test JVM that ends without closing its children (a timeout, a failed assertion before the
    // close) must not leave servers holding ports for the next tests.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "child-server-reaper"));
    ChildServer server = new ChildServer(p);
    Thread reader = new Thread(server::readOutput, "child-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      Awaitility.await("the child server's listening line")
          .atMost(Duration.ofSeconds(60))
          .until(() -> server.port > 0 || !p.isAlive());
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    if (server.port < 0) {
      throw new IllegalStateException("the child server exited at startup: " + server.log());
    }
    return server;
  }

  private void readOutput() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.add(line);
        Matcher m = LISTENING.matcher(line);
        if (port < 0 && m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public Process process() {
    return process;
  }

  /** The output so far. */
  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** Sends a signal by pid ({@code KILL}, {@code TERM}) with the real kill command. */
  public void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
  }

  /** Waits for the process to exit and returns its exit code. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the child server did not exit within " + seconds + " s");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
