package io.kvdb.server.commands;

import io.kvdb.server.command.CommandRegistry;

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
}
