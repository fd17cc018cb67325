package io.kvdb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Runs typed lines: client-side commands (HELP, EXIT, QUIT), usage checks for known commands, and
 * everything else sent to the server and printed. Shared by the REPL, piped input and one-shot
 * mode. Not thread-safe.
 */
public final class Session {
  /** What a line did. */
  public enum Outcome {
    OK,
    ERROR,
    EXIT
  }

  private final RespConnection connection;
  private final CommandTable table;
  private final PrintWriter out;

  public Session(RespConnection connection, CommandTable table, PrintWriter out) {
    this.connection = connection;
    this.table = table;
    this.out = out;
  }

  /** Runs one typed line. */
  public Outcome execute(String line) {
    List<byte[]> args;
    try {
      args = Tokenizer.split(line);
    } catch (Tokenizer.UnbalancedQuotesException e) {
      out.println("(error) " + e.getMessage());
      out.flush();
      return Outcome.ERROR;
    }
    if (args.isEmpty()) {
      return Outcome.OK;
    }
    String name = new String(args.get(0), StandardCharsets.UTF_8);
    switch (name.toUpperCase(Locale.ROOT)) {
      case "EXIT", "QUIT" -> {
        out.println("Goodbye!");
        out.flush();
        return Outcome.EXIT;
      }
      case "HELP" -> {
        out.println(help(args.size() > 1 ? new String(args.get(1), StandardCharsets.UTF_8) : null));
        out.flush();
        return Outcome.OK;
      }
      default -> {
        return send(name, args);
      }
    }
  }

  /** Sends already-split arguments (one-shot mode) and prints the reply. */
  public Outcome send(String name, List<byte[]> args) {
    CommandTable.Info info = table.find(name);
    if (info != null && !info.accepts(args.size())) {
      out.println(
          "(error) wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) + "' command");
      out.println("Usage: " + info.usage());
      out.flush();
      return Outcome.ERROR;
    }
    boolean reconnecting = !connection.connected();
    try {
      RespValue reply = connection.send(args);
      if (reconnecting) {
        out.println("(reconnected to " + connection.address() + ")");
      }
      out.println(ReplyPrinter.format(name, reply));
      out.flush();
      return reply instanceof RespValue.Error ? Outcome.ERROR : Outcome.OK;
    } catch (IOException e) {
      out.println(
          "(error) Connection to "
              + connection.address()
              + " lost: "
              + describe(e)
              + ". The next command will try to reconnect.");
      out.flush();
      return Outcome.ERROR;
    }
  }

  static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** HELP text: the command list, or one command's usage, description and example. */
  public String help(String command) {
    if (command == null) {
      StringBuilder b = new StringBuilder("Available commands:\n\n");
      for (CommandTable.Info i : table.all()) {
        b.append(String.format(Locale.ROOT, "  %-9s %s%n", i.name(), i.summary()));
      }
      return b.append("\nUse 'HELP <command>' for detailed information about a specific command")
          .toString();
    }
    CommandTable.Info i = table.find(command);
    if (i == null) {
      return "Unknown command '" + command + "'. Type HELP for the list of commands.";
    }
    return "Usage:       "
        + i.usage()
        + "\nDescription: "
        + i.summary()
        + "\nExample:     "
        + i.example();
  }
}
