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
  NO_AUTH;

  /** The name COMMAND INFO reports. */
  public String redisName() {
    return switch (this) {
      case NO_AUTH -> "no_auth";
      default -> name().toLowerCase();
    };
  }
}
