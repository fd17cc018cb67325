package io.kvdb.core.spi;

import java.io.IOException;

/**
 * The records asked for are not in the log — a snapshot compacted them away, or the log has a gap
 * there (recovery continued after a snapshot newer than the log); a replica that needs them must
 * take a full snapshot instead.
 */
public class HistoryUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long requestedLsn;
  private final long firstAvailableLsn;

  public HistoryUnavailableException(long requestedLsn, long firstAvailableLsn) {
    super(
        "log history from LSN "
            + requestedLsn
            + " is no longer available; the oldest retained LSN is "
            + firstAvailableLsn);
    this.requestedLsn = requestedLsn;
    this.firstAvailableLsn = firstAvailableLsn;
  }

  /** A gap: the log has no record from {@code requestedLsn} up to {@code nextLsn - 1}. */
  public static HistoryUnavailableException gap(long requestedLsn, long nextLsn) {
    return new HistoryUnavailableException(
        requestedLsn,
        nextLsn,
        "the log has no record for LSN "
            + requestedLsn
            + ": it has a gap up to LSN "
            + (nextLsn - 1)
            + " (recovery continued after a snapshot newer than the log)");
  }

  private HistoryUnavailableException(long requestedLsn, long firstAvailableLsn, String message) {
    super(message);
    this.requestedLsn = requestedLsn;
    this.firstAvailableLsn = firstAvailableLsn;
  }

  public long requestedLsn() {
    return requestedLsn;
  }

  public long firstAvailableLsn() {
    return firstAvailableLsn;
  }
}
