package io.kvdb.core.spi;

/**
 * Which history a log's LSNs belong to. An LSN names one record only within one history: whenever
 * the log could hand out an LSN again for different data — a new empty directory, a recovery that
 * dropped records, truncated corruption, a promotion — it starts a new history with a fresh random
 * id, remembering the one it came from and the last LSN the two share, so that replicas of the old
 * history can continue on the new one up to there (Redis' replid and replid2).
 *
 * @param id this history's random id (never 0)
 * @param previousId the history this one forked from, 0 for none
 * @param forkLsn the last LSN the two histories share (records up to it are the same in both)
 */
public record LogHistory(long id, long previousId, long forkLsn) {
  public LogHistory {
    if (id == 0) {
      throw new IllegalArgumentException("a history id is never 0");
    }
    if (forkLsn < 0) {
      throw new IllegalArgumentException("forkLsn must not be negative, got " + forkLsn);
    }
  }

  /**
   * Whether a log that followed history {@code otherId} up to {@code lsn} holds records that this
   * history holds too: same id, or the previous id with {@code lsn} at or before the fork.
   */
  public boolean contains(long otherId, long lsn) {
    return otherId == id || (previousId != 0 && otherId == previousId && lsn <= forkLsn);
  }

  /** The id as 16 hex digits, as INFO shows it. */
  public static String hex(long id) {
    return String.format("%016x", id);
  }
}
