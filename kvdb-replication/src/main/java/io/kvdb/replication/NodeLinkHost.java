package io.kvdb.replication;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.HistoryUnavailableException;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.replication.internal.DataDirs;
import io.kvdb.replication.internal.LinkHost;
import io.kvdb.replication.internal.MasterService;
import io.kvdb.replication.internal.RollbackFile;
import io.kvdb.replication.internal.RollbackRefusedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the slave link asks of its node ({@link LinkHost}): the node's settings for the handshake,
 * and the operations that change its data underneath it — a rollback to the fork point (kept in a
 * rollback file first) and the switch to a full sync's directory. Each leaves the node serving:
 * either the new data, or the old data when the change could not be made.
 */
final class NodeLinkHost implements LinkHost {
  private static final Logger log = LoggerFactory.getLogger(ReplicationNode.class);

  private final ReplicationNode node;

  NodeLinkHost(ReplicationNode node) {
    this.node = node;
  }

  /**
   * Serves {@code opened} as this replica's data: its log refuses local appends, it is swapped in,
   * and the node's own slaves (a cascade) are served from it from now on (they reconnect) — the
   * same whether it holds new data or the old data reopened after a change that failed.
   */
  private void serve(KvStore opened) {
    WriteAheadLog w = node.walOf(opened);
    w.refuseLocalAppends(ReadOnlyReplicaException::new);
    node.store.swap(opened);
    node.wal = w;
    MasterService cascade = node.master;
    if (cascade != null) {
      cascade.rebind(w, (StoreState) opened);
    }
  }

  @Override
  public int announcePort() {
    return node.announcePort;
  }

  @Override
  public boolean resyncOverDivergence() {
    return node.resyncOverDivergence;
  }

  @Override
  public boolean rollbackAllowed() {
    return node.rollbackAllowed;
  }

  @Override
  public void handshakeDone() {
    node.rollbackAllowed = false;
  }

  @Override
  public void rollBackTo(long forkLsn) throws IOException {
    WriteAheadLog before = node.wal;
    try {
      before.whenDurable(before.lastLsn()).get(30, TimeUnit.SECONDS); // the cursor reads files
    } catch (Exception e) {
      throw new IOException("cannot roll back: the log did not settle: " + e, e);
    }
    Path file = node.dataDir.resolve("rollback-" + System.currentTimeMillis() + ".resp");
    long n;
    // Both checks before anything changes: a rollback that cannot be made leaves the node as
    // it was, serving its data, and its link refused with the reason.
    try {
      node.cfg.logFactory().checkTruncateAfter(node.dataDir, forkLsn);
    } catch (IOException e) {
      throw cannotRollBack(forkLsn, e);
    }
    try (LogCursor cursor = before.openCursor(forkLsn + 1)) {
      n = RollbackFile.write(file, cursor);
    } catch (HistoryUnavailableException e) {
      Files.deleteIfExists(file);
      throw cannotRollBack(forkLsn, e);
    }
    node.store.loading(true);
    try {
      node.store.current().close();
      try {
        node.cfg.logFactory().truncateAfter(node.dataDir, forkLsn);
      } catch (IOException e) {
        // Refused before it changed anything (a snapshot taken since the check): the old data
        // opens again, and the link says why.
        serve(node.open(node.dataDir, true));
        Files.deleteIfExists(file);
        throw cannotRollBack(forkLsn, e);
      }
      serve(node.open(node.dataDir, true));
    } finally {
      node.store.loading(false);
    }
    node.rolledBackRecords += n;
    node.lastRollbackFile = file;
    log.atWarn()
        .addKeyValue("lsn", forkLsn)
        .addKeyValue("records", n)
        .addKeyValue("file", file.toString())
        .log(
            "rolled back {} records after LSN {}, where the new master's history forked, into {};"
                + " continuing from LSN {}",
            n,
            forkLsn,
            file,
            forkLsn);
  }

  private static RollbackRefusedException cannotRollBack(long forkLsn, Exception why) {
    return new RollbackRefusedException(
        "cannot roll back to LSN "
            + forkLsn
            + ", where the new master's history forked: the records after it were compacted"
            + " into a snapshot ("
            + why.getMessage()
            + "); CONFIG SET resync-over-divergence yes takes a full sync instead",
        why);
  }

  @Override
  public KvStore current() {
    return node.store.current();
  }

  @Override
  public WriteAheadLog wal() {
    return node.wal;
  }

  @Override
  public Path fullSyncDirectory() throws IOException {
    Path dir = DataDirs.fullSync(node.dataDir);
    DataDirs.deleteTree(dir);
    return dir;
  }

  @Override
  public WriteAheadLog log(Path directory, long snapshotLsn) {
    return node.cfg.logFactory().create(directory, snapshotLsn, false);
  }

  @Override
  public void createLog(Path directory, long lsn, LogHistory history, StoreState entries)
      throws IOException {
    node.cfg.logFactory().createFromSnapshot(directory, lsn, history, entries);
  }

  @Override
  public StoreEngine unopened(long snapshotLsn) {
    WriteAheadLog w = node.cfg.logFactory().create(node.dataDir, snapshotLsn, true);
    StoreEngine s =
        node.cfg.store.apply(KvStore.builder()).wal(w).removeExpiredKeys(false).buildUnopened();
    synchronized (node.logs) {
      node.logs.put(s, w);
    }
    return s;
  }

  @Override
  public void installFullSync(Path ready, StoreEngine filled) throws IOException {
    Files.writeString(
        ready.resolve(ReplicationNode.SLAVE_ID_FILE), node.slaveId + "\n", StandardCharsets.UTF_8);
    node.store.loading(true);
    try {
      node.store.current().close();
      try {
        DataDirs.switchTo(node.dataDir, ready);
      } catch (IOException e) {
        if (DataDirs.switching(node.dataDir)) {
          throw e; // past the point of no return: the next start finishes the switch
        }
        // Not started: the old state is untouched. Reopen it and go on serving it; the link
        // retries the full sync.
        serve(node.open(node.dataDir, true));
        log.warn("full sync: the switch failed before it began ({}); serving the old data", e);
        throw e;
      }
      filled.openLog(); // reads the snapshot's header only, then replays the log after it
      serve(filled);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      node.store.loading(false);
    }
  }
}
