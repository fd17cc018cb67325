package io.kvdb.server.commands;

import io.kvdb.server.command.CommandCatalog;
import io.kvdb.server.command.CommandRegistry;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one list of command families the server wires in. The framework ({@code
 * io.kvdb.server.command}) knows none of them: a new family is a class here with a {@code register}
 * method and a line below.
 */
public final class CommandFamilies {
  private CommandFamilies() {}

  /** A registry holding every family's commands. */
  public static CommandRegistry standard() {
    CommandRegistry r = new CommandRegistry();
    StringCommands.register(r);
    StringEditCommands.register(r);
    CounterCommands.register(r);
    BitCommands.register(r);
    LcsCommand.register(r);
    KeyCommands.register(r);
    KeyMoveCommands.register(r);
    ExpiryCommands.register(r);
    TransactionCommands.register(r);
    MonitoringCommands.register(r);
    ServerCommands.register(r);
    ConnectionCommands.register(r);
    ReplicationCommands.register(r);
    return r;
  }

  /**
   * Writes the standard registry's catalog ({@link CommandCatalog}) to the file named by the one
   * argument: the kvdb-client-cli build runs this to generate its table of commands.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CommandFamilies <catalog file>");
    }
    Path file = Path.of(args[0]);
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      CommandCatalog.write(standard().all(), out);
    }
  }
}
