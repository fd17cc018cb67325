package io.kvdb.wal.internal;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which history a log's LSNs belong to (the {@code HISTORY} file, docs/file-format.md), and when it
 * changes: recovered after a crash (kept, or forked when records that were handed out may be lost),
 * forked on promotion, adopted from a master. Whether the log is a {@code follower} — its records
 * are its master's — decides what a lost tail means: a follower is only behind, any other log
 * forks. Guarded by the owning log's monitor; the fields are volatile for readers without it.
 */
public final class LogHistories {
  private static final Logger log = LoggerFactory.getLogger(LogHistories.class);

  private final Path dir;
  private final String name;
  private volatile LogHistory history;
  private volatile boolean follower;

  public LogHistories(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  public LogHistory current() {
    return history;
  }

  /** Whether the log's records came from a master and it has appended none of its own since. */
  public boolean follower() {
    return follower;
  }

  /**
   * The history of the recovered log: the recorded one, or a new one when this is a new directory
   * or recovery may have lost records that were handed out — dropped records, or an unclean end
   * under a policy that acknowledges before fsync. A fork keeps the old id as previous, shared up
   * to the recovered last LSN, so replicas within it continue.
   *
   * <p>A log that follows a master never forks: losing its tail leaves it behind its master, at a
   * prefix of the same history, and it continues from there. Forking would make its master refuse
   * it as diverged forever.
   */
  public LogHistory recover(WalLoader.Loaded loaded, boolean cleanEnd, FsyncPolicy policy)
      throws IOException {
    HistoryFile.Stored stored = HistoryFile.readStored(dir);
    LogHistory recorded = stored == null ? null : stored.history();
    follower = stored != null && stored.follower();
    RecoveryReport r = loaded.report();
    String why = null;
    if (recorded == null) {
      why = loaded.lastLsn() == 0 ? "new log" : "no history recorded (a log of an earlier build)";
    } else if (r.recordsDropped() > 0) {
      why = "recovery dropped " + r.recordsDropped() + " records";
    } else if (!cleanEnd && policy != FsyncPolicy.ALWAYS) {
      why = "unclean end under fsync " + policy + ": an unsynced tail may be lost";
    }
    if (why == null) {
      history = recorded;
      return recorded;
    }
    // A follower that lost its tail is a prefix of its master's history. One that continued after
    // a snapshot newer than its log is not (the snapshot holds part of what the log lacks): it
    // forks like any log, and its master will say so (refused as diverged; resync_over_divergence
    // lets it take a full sync).
    if (follower && loaded.intactLsn() == loaded.lastLsn()) {
      log.warn(
          "[wal {}] {}; this log follows its master's history {}, so it is only behind: it"
              + " continues from LSN {}",
          name,
          why,
          LogHistory.hex(recorded.id()),
          loaded.lastLsn() + 1);
      history = recorded;
      return recorded;
    }
    follower = false;
    LogHistory fresh =
        recorded == null
            ? new LogHistory(HistoryFile.newId(), 0, 0)
            // Shared up to the recovered last LSN: after a snapshot newer than the log that is the
            // snapshot's end E (its state holds the old history's records up to E), not the last
            // intact record; a slave between the two needs a full sync (the gap), not a refusal.
            : new LogHistory(HistoryFile.newId(), recorded.id(), loaded.lastLsn());
    HistoryFile.write(dir, fresh, false);
    log.info(
        "[wal {}] new history {} ({}){}",
        name,
        LogHistory.hex(fresh.id()),
        why,
        recorded == null
            ? ""
            : ", forked from " + LogHistory.hex(recorded.id()) + " after LSN " + fresh.forkLsn());
    history = fresh;
    return fresh;
  }

  /**
   * Starts a new history after {@code lastLsn} (a promotion): the log's next records are its own.
   */
  public LogHistory fork(long lastLsn) throws IOException {
    LogHistory fresh = new LogHistory(HistoryFile.newId(), history.id(), lastLsn);
    HistoryFile.write(dir, fresh, false);
    history = fresh;
    follower = false;
    log.info(
        "[wal {}] new history {}, forked from {} after LSN {}",
        name,
        LogHistory.hex(fresh.id()),
        LogHistory.hex(fresh.previousId()),
        fresh.forkLsn());
    return fresh;
  }

  /** Follows a master's history from now on (its records are the master's). */
  public void adopt(LogHistory adopted) throws IOException {
    if (!adopted.equals(history) || !follower) {
      HistoryFile.write(dir, adopted, true);
      history = adopted;
      follower = true;
      log.info("[wal {}] follows history {}", name, LogHistory.hex(adopted.id()));
    }
  }
}
