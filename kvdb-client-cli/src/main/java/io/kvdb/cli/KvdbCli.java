package io.kvdb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvdb-cli [-host H] [-port P] [-timeout D] [-a PASSWORD] [COMMAND [ARG ...]]}.
 *
 * <ul>
 *   <li>With a command: runs it, prints the reply, exits 1 on an error reply.
 *   <li>With standard input that is not a terminal: runs each line, prints each reply, no banner;
 *       exits 1 if any line failed.
 *   <li>Otherwise: the interactive REPL.
 * </ul>
 *
 * A server that cannot be reached at start prints one line and exits 1.
 */
@Command(
    name = "kvdb-cli",
    mixinStandardHelpOptions = true,
    versionProvider = KvdbCli.Version.class,
    description = "Interactive client for kvdb-server (and any Redis-protocol server).")
public final class KvdbCli implements Callable<Integer> {
  @Option(
      names = {"-host", "--host"},
      defaultValue = "127.0.0.1",
      description = "Server host (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = {"-port", "--port"},
      defaultValue = "3223",
      description = "Server port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = {"-timeout", "--timeout"},
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "Connect and reply timeout, such as 500ms, 5s or 1m (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = {"-a", "--password"},
      description = "Password to AUTH with (also $KVDB_PASSWORD)")
  String password;

  @Option(
      names = "--history-file",
      description = "History file (default: $KVDB_HISTFILE, else $HOME/.kvdb_history)")
  Path historyFile;

  @Parameters(
      arity = "0..*",
      paramLabel = "COMMAND",
      description = "A command to run once, then exit")
  List<String> command = new ArrayList<>();

  private final InputStream stdin;
  private final PrintWriter stdout;
  private final PrintWriter stderr;
  private final boolean stdinIsTerminal;

  public KvdbCli() {
    this(
        System.in,
        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8),
        System.console() != null);
  }

  /** For tests: explicit streams, and whether standard input counts as a terminal. */
  public KvdbCli(
      InputStream stdin, PrintWriter stdout, PrintWriter stderr, boolean stdinIsTerminal) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.stdinIsTerminal = stdinIsTerminal;
  }

  public static void main(String[] args) {
    System.exit(commandLine(new KvdbCli()).execute(args));
  }

  /**
   * The picocli command line, with single-dash long options taken whole (-host is not -h -o ...).
   */
  public static CommandLine commandLine(KvdbCli cli) {
    return new CommandLine(cli)
        .setPosixClusteredShortOptionsAllowed(false)
        .setOut(cli.stdout)
        .setErr(cli.stderr);
  }

  @Override
  public Integer call() throws Exception {
    if (password == null) {
      password = System.getenv("KVDB_PASSWORD");
    }
    RespConnection connection = new RespConnection(host, port, timeout, password);
    try {
      connection.connect();
    } catch (IOException e) {
      stderr.println(
          "Could not connect to kvdb-server at " + host + ":" + port + ": " + Session.describe(e));
      return 1;
    }
    try (connection) {
      CommandTable table = CommandTable.builtIn();
      if (!command.isEmpty()) {
        List<byte[]> args = new ArrayList<>();
        command.forEach(a -> args.add(a.getBytes(StandardCharsets.UTF_8)));
        Session session = new Session(connection, table, stdout);
        return session.send(command.get(0), args) == Session.Outcome.OK ? 0 : 1;
      }
      if (!stdinIsTerminal) {
        return piped(new Session(connection, table, stdout));
      }
      try {
        table.mergeServerDocs(connection.send(List.of(bytes("COMMAND"), bytes("DOCS"))));
      } catch (IOException e) {
        // an older or different server: the built-in table will do
      }
      try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
        Path history = historyFile != null ? historyFile : defaultHistoryFile(System.getenv());
        return new Repl(terminal, connection, table, history).run();
      }
    }
  }

  private int piped(Session session) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    boolean failed = false;
    String line;
    while ((line = in.readLine()) != null) {
      Session.Outcome o = session.execute(line);
      if (o == Session.Outcome.EXIT) {
        break;
      }
      failed |= o == Session.Outcome.ERROR;
    }
    return failed ? 1 : 0;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Parses 500ms, 5s, 2m, or a plain number of seconds. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofMillis(
              (long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        }
        if (v.endsWith("m")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
        }
        return Duration.ofSeconds(Long.parseLong(v));
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration such as 500ms, 5s or 1m");
      }
    }
  }

  /** The version from the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = KvdbCli.class.getResourceAsStream("/kvdb-cli-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"kvdb-cli " + p.getProperty("version", "dev")};
    }
  }

  /**
   * Where history goes without --history-file, as redis-cli decides it: {@code KVDB_HISTFILE} (like
   * {@code REDISCLI_HISTFILE}), else {@code $HOME/.kvdb_history}, else the account's home
   * directory. {@code $HOME} wins over the account's directory, so a user or a script that sets
   * HOME elsewhere gets its history there.
   */
  static Path defaultHistoryFile(Map<String, String> env) {
    String file = env.get("KVDB_HISTFILE");
    if (file != null && !file.isEmpty()) {
      return Path.of(file);
    }
    String home = env.get("HOME");
    return Path.of(
        home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".kvdb_history");
  }
}
