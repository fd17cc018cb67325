package io.kvdb.replication.internal;

import java.io.IOException;

/**
 * A rollback the master asked for cannot be made here (the records after the fork were compacted
 * into a snapshot). Nothing was changed: the node keeps its data and serves it, and its link says
 * why it is refused until an operator chooses (a full sync with {@code resync-over-divergence}).
 */
public final class RollbackRefusedException extends IOException {
  public RollbackRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
