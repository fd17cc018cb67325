package io.kvdb.replication;

/**
 * A master refused a write (too few good slaves: nothing was written), or could not get it
 * acknowledged by the slaves its semi-synchronous setting requires (it is durable locally, but not
 * acknowledged). The message starts with Redis' {@code NOREPLICAS} code.
 */
public final class NotEnoughReplicasException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** Redis' exact text for a write refused by min-replicas-to-write. */
  public static final String REFUSED = "NOREPLICAS Not enough good replicas to write.";

  public NotEnoughReplicasException(String message) {
    super(message);
  }
}
