package io.kvdb.replication.internal;

import io.kvdb.core.spi.LogHistory;
import java.util.function.LongPredicate;

/**
 * The master's answer to a slave's HELLO, as a pure function of what both sides hold: {@link
 * #decide}. {@link SlaveSession} acts on it; the decision table is tested on its own, branch by
 * branch.
 *
 * <ul>
 *   <li>CONTINUE from L+1 when this master's history contains the slave's position (h, L), L is
 *       durable here (never grant a position this master could still lose), and the log still holds
 *       L+1.
 *   <li>FULL sync when the position is contained but L+1 is no longer held (compacted away, or a
 *       gap), when the slave is empty, or when it allowed a resync over its data.
 *   <li>ROLLBACK to the fork LSN F when the slave follows the history this master forked from,
 *       holds records after F, and was pointed here explicitly (REPLICAOF): it keeps them in a
 *       rollback file, cuts its log back to F and says HELLO again (then CONTINUE from F+1).
 *   <li>REFUSE otherwise: the slave holds records this master lacks, or follows a history this
 *       master does not contain — divergence, never resolved by wiping the slave unasked; also a
 *       wrong password or protocol version.
 * </ul>
 */
final class Handshake {
  private Handshake() {}

  enum Kind {
    CONTINUE,
    FULL,
    REFUSE,
    ROLLBACK
  }

  /**
   * @param fromLsn CONTINUE: the first LSN to stream
   * @param code REFUSE: {@code version}, {@code auth} or {@code diverged}
   * @param reason why, in words for the log and the slave's INFO
   */
  record Decision(Kind kind, long fromLsn, String code, String reason) {
    static Decision continueFrom(long lsn) {
      return new Decision(Kind.CONTINUE, lsn, null, null);
    }

    static Decision full(String why) {
      return new Decision(Kind.FULL, 0, null, why);
    }

    static Decision rollBackTo(long forkLsn) {
      return new Decision(Kind.ROLLBACK, forkLsn, null, null);
    }

    static Decision refuse(String code, String why) {
      return new Decision(Kind.REFUSE, 0, code, why);
    }
  }

  /** What a slave's HELLO says. */
  record Hello(int version, boolean passwordMatches, long history, long lastLsn, int flags) {}

  /**
   * @param ours this master's history
   * @param durableLsn the last LSN durable here
   * @param held whether the log still holds an LSN (tried only for the LSN CONTINUE would start at)
   */
  static Decision decide(LogHistory ours, long durableLsn, Hello hello, LongPredicate held) {
    if (hello.version() != Frame.VERSION) {
      return Decision.refuse("version", "this master speaks replication protocol " + Frame.VERSION);
    }
    if (!hello.passwordMatches()) {
      return Decision.refuse("auth", "invalid password");
    }
    long theirLsn = hello.lastLsn();
    if (ours.contains(hello.history(), theirLsn) && theirLsn <= durableLsn) {
      return held.test(theirLsn + 1)
          ? Decision.continueFrom(theirLsn + 1)
          : Decision.full("its history from LSN " + (theirLsn + 1) + " is no longer held here");
    }
    if (theirLsn == 0) {
      return Decision.full("it is empty");
    }
    if ((hello.flags() & Frame.FLAG_ROLLBACK_ALLOWED) != 0
        && ours.previousId() != 0
        && hello.history() == ours.previousId()
        && theirLsn > ours.forkLsn()) {
      // It follows the history this one forked from, with records after the fork that this one
      // never had (an old master after a failover): pointed here explicitly, it rolls them back.
      return Decision.rollBackTo(ours.forkLsn());
    }
    if ((hello.flags() & Frame.FLAG_RESYNC_OVER_DIVERGENCE) != 0) {
      return Decision.full("it diverged and allows a resync over its data");
    }
    boolean sameHistory = hello.history() == ours.id() || hello.history() == ours.previousId();
    return Decision.refuse(
        "diverged",
        sameHistory
            ? "it holds records up to LSN "
                + theirLsn
                + " that this master lacks (history "
                + LogHistory.hex(ours.id())
                + " ends at LSN "
                + durableLsn
                + (hello.history() == ours.previousId()
                    ? ", forked from "
                        + LogHistory.hex(ours.previousId())
                        + " after LSN "
                        + ours.forkLsn()
                    : "")
                + ")"
            : "it follows history "
                + LogHistory.hex(hello.history())
                + " at LSN "
                + theirLsn
                + ", which this master's history "
                + LogHistory.hex(ours.id())
                + " does not contain");
  }
}
