package io.kvdb.core.spi;

import java.io.IOException;

/** Reads logged records in LSN order from a starting LSN. Not thread-safe: one reader at a time. */
public interface LogCursor extends AutoCloseable {

  /**
   * @return the next durable record, or null when the cursor has caught up with the log
   * @throws HistoryUnavailableException if the segment it needs was compacted away meanwhile
   */
  WalRecord next() throws IOException;

  @Override
  void close() throws IOException;
}
