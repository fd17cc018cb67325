package io.kvdb.server.command;

/**
 * Rejects a command with a Redis error reply (text from {@link RespErrors}). Thrown from a handler,
 * or from a compute function before anything is written, so a rejected operation never reaches the
 * WAL. No stack trace: it is control flow, not a bug.
 */
public final class CommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommandException(String error) {
    super(error, null, false, false);
  }
}
