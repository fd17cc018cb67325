package io.kvdb.core.spi;

import java.io.IOException;

/**
 * The records asked for are no longer in the log (a snapshot compacted them away); a replica that
 * needs them must take a full snapshot instead.
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

  public long requestedLsn() {
    return requestedLsn;
  }

  public long firstAvailableLsn() {
    return firstAvailableLsn;
  }
}
