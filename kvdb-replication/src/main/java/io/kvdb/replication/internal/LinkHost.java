package io.kvdb.replication.internal;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Path;

/** What a {@link SlaveLink} needs from the node it serves. */
public interface LinkHost {
  /** The store underneath now. */
  KvStore current();

  /**
   * The port this slave serves clients on, which its master shows in INFO and ROLE (Redis' {@code
   * replica-announce-port}); 0 when unknown.
   */
  default int announcePort() {
    return 0;
  }

  /**
   * Whether a full sync may replace data its master's history does not contain (read per HELLO).
   */
  default boolean resyncOverDivergence() {
    return false;
  }

  /** Whether this link was set up by an explicit REPLICAOF that has not handshaken yet. */
  default boolean rollbackAllowed() {
    return false;
  }

  /** The master answered CONTINUE or FULL_BEGIN: an explicit REPLICAOF's rollback is spent. */
  default void handshakeDone() {}

  /**
   * Keeps this node's records after {@code forkLsn} in a rollback file, cuts its log back to {@code
   * forkLsn} and reopens its store there.
   */
  default void rollBackTo(long forkLsn) throws IOException {
    throw new IOException("this node cannot roll back");
  }

  /** The log of the store underneath now. */
  WriteAheadLog wal();

  /** An empty directory beside the data directory, to build a full sync in. */
  Path fullSyncDirectory() throws IOException;

  /**
   * A log on a directory with the node's options, not opened yet, whose snapshot at {@code
   * snapshotLsn} its recovery treats as loaded (header only).
   */
  WriteAheadLog log(Path directory, long snapshotLsn);

  /**
   * Creates a log directory that starts from a snapshot of {@code entries} at {@code lsn} and
   * follows {@code history} (the directory must be empty or missing).
   */
  void createLog(Path directory, long lsn, LogHistory history, StoreState entries)
      throws IOException;

  /**
   * A store for the data directory whose log is not opened yet, told that the snapshot at {@code
   * snapshotLsn} is already loaded: the full sync fills it while the entries arrive.
   */
  StoreEngine unopened(long snapshotLsn);

  /**
   * Makes the complete full sync in {@code directory} the node's data, and {@code filled} (from
   * {@link #unopened}, holding its snapshot) the node's store.
   */
  void installFullSync(Path directory, StoreEngine filled) throws IOException;
}
