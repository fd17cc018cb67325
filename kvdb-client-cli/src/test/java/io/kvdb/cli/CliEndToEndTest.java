package io.kvdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvdb.server.KvdbServer;
import io.kvdb.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real server: one-shot, piped, the REPL on a non-interactive terminal. */
class CliEndToEndTest {
  @TempDir Path tmp;
  KvdbServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        KvdbServer.start(
            ServerConfig.defaults()
                .withWal(null)
                .withNetwork(ServerConfig.Network.DEFAULT.withPort(0)));
  }

  @AfterEach
  void stop() {
    server.shutdown();
  }

  /** Runs the CLI with arguments and standard input; returns exit code, stdout and stderr. */
  private record Run(int code, String out, String err) {}

  private Run cli(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    KvdbCli cli =
        new KvdbCli(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    int code = KvdbCli.commandLine(cli).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String port() {
    return Integer.toString(server.port());
  }

  @Test
  void oneShotRunsACommandAndReflectsErrorsInTheExitCode() {
    Run set = cli("", "-host", "127.0.0.1", "-port", port(), "SET", "greeting", "hello world");
    assertThat(set.code()).isZero();
    assertThat(set.out()).isEqualTo("OK\n");
    Run get = cli("", "--port", port(), "GET", "greeting");
    assertThat(get.out()).isEqualTo("Value: hello world\n");
    Run bad = cli("", "-port", port(), "INCR", "greeting");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out()).isEqualTo("(error) ERR value is not an integer or out of range\n");
    Run usage = cli("", "-port", port(), "GET");
    assertThat(usage.code()).isEqualTo(1);
    assertThat(usage.out()).contains("Usage: GET key");
  }

  @Test
  void pipedInputRunsLineByLineWithoutABanner() {
    Run r =
        cli("SET user:1 \"John Doe\"\nGET user:1\nDEL user:1 other\nGET user:1\n", "-port", port());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("OK\nValue: John Doe\n(integer) 1\nkey not found\n");
    Run failing = cli("PING\nNOSUCH\n", "-port", port());
    assertThat(failing.code()).isEqualTo(1);
    assertThat(failing.out()).startsWith("PONG\n(error) ERR unknown command 'NOSUCH'");
  }

  @Test
  void anUnreachableServerIsOneClearLineAndExitCodeOne() throws Exception {
    // Port 1: privileged and unused, so nothing listens there (a port probed free and closed
    // could be taken by another test meanwhile).
    int closedPort = 1;
    Run r = cli("", "-port", Integer.toString(closedPort), "-timeout", "2s", "PING");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip())
        .startsWith("Could not connect to kvdb-server at 127.0.0.1:" + closedPort)
        .doesNotContain("\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void helpAndVersionFlags() {
    Run help = cli("", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("-host")
        .contains("-port")
        .contains("-timeout")
        .contains("--password");
    assertThat(cli("", "--version").out()).startsWith("kvdb-cli ");
  }

  /**
   * A REPL on a JLine terminal over pipes (not a TTY), typed into line by line as a person would;
   * the input stays open until the test closes it (Ctrl-D).
   */
  private static final class TypedRepl implements AutoCloseable {
    final PipedOutputStream keyboard = new PipedOutputStream();
    final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    final Terminal terminal;
    final RespConnection connection;
    final CompletableFuture<Integer> exit;

    TypedRepl(int port, Path history) throws Exception {
      terminal =
          TerminalBuilder.builder()
              .system(false)
              .type("dumb")
              .streams(new PipedInputStream(keyboard, 1 << 16), screen)
              .build();
      connection = new RespConnection("127.0.0.1", port, Duration.ofSeconds(5), null);
      connection.connect();
      exit =
          CompletableFuture.supplyAsync(
              () -> new Repl(terminal, connection, CommandTable.builtIn(), history).run());
    }

    /** Types a line once the prompt is showing, and waits for the next prompt (or the exit). */
    void type(String line) throws Exception {
      int prompts = prompts();
      await().atMost(Duration.ofSeconds(10)).until(() -> prompts() > 0);
      keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      keyboard.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> prompts() > prompts || exit.isDone());
    }

    int prompts() {
      return screen().split(Repl.PROMPT, -1).length - 1;
    }

    String screen() {
      synchronized (screen) {
        return screen
            .toString(StandardCharsets.UTF_8)
            .replace("\r\n", "\n"); // the terminal's ONLCR
      }
    }

    @Override
    public void close() throws Exception {
      keyboard.close();
      terminal.close();
      connection.close();
    }
  }

  @Test
  void theReplOnANonInteractiveTerminal() throws Exception {
    Path history = tmp.resolve("history");
    try (TypedRepl repl = new TypedRepl(server.port(), history)) {
      for (String line :
          new String[] {
            "SET user:1 \"John Doe\"",
            "GET user:1",
            "GET missing",
            "INCR hits",
            "MGET user:1 missing",
            "SET onlykey",
            "HELP",
            "HELP SET",
            "HELP NOSUCH",
            "AUTH not-saved"
          }) {
        repl.type(line);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> repl.screen().contains("AUTH <password> called without"));
      repl.type("EXIT");
      assertThat(repl.exit.get(10, TimeUnit.SECONDS)).isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> repl.screen().contains("Goodbye!"));
      assertThat(repl.screen())
          .contains("KV-DB Client")
          .contains("Type 'HELP' for available commands or 'EXIT'/'QUIT' to quit")
          .contains("kv-db> ")
          .contains("Value: John Doe")
          .contains("key not found")
          .contains("(integer) 1")
          .contains("1) \"John Doe\"\n2) (nil)")
          .contains("Usage: SET key value [NX | XX] [GET]")
          .contains("Available commands:")
          .contains("Example:     SET user:1 \"John Doe\"")
          .contains("Unknown command 'NOSUCH'")
          .contains("Goodbye!");
    }
    String saved = Files.readString(history);
    assertThat(saved).contains("GET user:1").doesNotContain("not-saved");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history)))
        .isEqualTo("rw-------");
  }

  @Test
  void endOfInputSaysGoodbye() throws Exception {
    try (TypedRepl repl = new TypedRepl(server.port(), null)) {
      repl.type("PING");
      assertThat(repl.screen()).contains("PONG");
      repl.keyboard.close(); // Ctrl-D
      assertThat(repl.exit.get(10, TimeUnit.SECONDS)).isZero();
      // The terminal's output filter writes byte by byte: wait for the whole line.
      await().atMost(Duration.ofSeconds(5)).until(() -> repl.screen().endsWith("Goodbye!\n"));
    }
  }

  @Test
  void aLostConnectionIsReportedAndTheNextCommandReconnects() throws Exception {
    int port = server.port();
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text, true);
    try (RespConnection c = new RespConnection("127.0.0.1", port, Duration.ofSeconds(5), null)) {
      Session s = new Session(c, CommandTable.builtIn(), out);
      assertThat(s.execute("SET a 1")).isEqualTo(Session.Outcome.OK);
      server.shutdown();
      assertThat(s.execute("GET a")).isEqualTo(Session.Outcome.ERROR);
      assertThat(text.toString()).contains("Connection to 127.0.0.1:" + port + " lost");
      server =
          KvdbServer.start(
              ServerConfig.defaults()
                  .withWal(null)
                  .withNetwork(ServerConfig.Network.DEFAULT.withPort(port)));
      assertThat(s.execute("PING")).isEqualTo(Session.Outcome.OK);
      assertThat(text.toString())
          .contains("(reconnected to 127.0.0.1:" + port + ")")
          .endsWith("PONG\n");
    }
  }
}
