package io.kvdb.server.command;

/** Runs one command. Called on the connection's event loop: it must never block. */
@FunctionalInterface
public interface CommandHandler {
  /**
   * @param argv the command name and its arguments; arity is already checked
   * @return the reply, possibly {@link Reply#later deferred}
   */
  Reply handle(CommandContext ctx, byte[][] argv);
}
