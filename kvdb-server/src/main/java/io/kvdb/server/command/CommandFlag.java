package io.kvdb.server.command;

/** Properties of a command, as Redis' COMMAND reports them. */
public enum CommandFlag {
  /** Changes data: only such commands can reach the store's write API, and so the WAL. */
  WRITE,
  /** Reads data: in fsync-always mode its reply waits until what it saw is durable. */
  READONLY,
  /** Administrative. */
  ADMIN,
  /** O(1) or O(log n). */
  FAST,
  /** Allowed before AUTH. */
  NO_AUTH,
  /** Refused inside MULTI (its reply could not be produced inside a transaction). */
  NO_MULTI,
  /**
   * Runs at once even inside MULTI instead of being queued: EXEC, DISCARD, MULTI, WATCH, QUIT,
   * RESET (Redis keeps the same list by hand; it is not a flag COMMAND reports).
   */
  IMMEDIATE;

  /** The name COMMAND INFO reports, or null for a flag it does not report. */
  public String redisName() {
    return switch (this) {
      case NO_AUTH -> "no_auth";
      case NO_MULTI -> "no_multi";
      case IMMEDIATE -> null;
      default -> name().toLowerCase();
    };
  }
}
