package io.kvdb.replication;

/** A write on a replica: its data comes only from its master. */
public final class ReadOnlyReplicaException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ReadOnlyReplicaException() {
    super("READONLY You can't write against a read only replica.");
  }
}
