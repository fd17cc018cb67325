package io.kvdb.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Fault-injection points for tests that need a disk that stalls, fails or loses power. Production
 * code never sets one ({@link #NONE} is the default). Calls run on the log's writer thread, before
 * every group write and around every fsync of a segment (group syncs and the sync that seals a
 * segment).
 */
public interface WalFaults {
  WalFaults NONE = new WalFaults() {};

  /**
   * Called before each group of records is written to {@code segment}. May throw what a failing
   * write throws: an {@code IOException} saying "No space left on device" is a full disk (the log
   * stalls and retries every second); any other is final.
   */
  default void beforeWrite(Path segment) throws IOException {}

  /**
   * Called before each fsync of {@code segment}. May block (a stalled disk: the writer waits, so
   * records queue up) or throw (a failed fsync: the log fails).
   */
  default void beforeSync(Path segment) throws IOException {}

  /**
   * Called after each fsync of {@code segment} with the number of its bytes now on disk: what a
   * power cut at this moment would leave of it.
   */
  default void afterSync(Path segment, long durableBytes) {}
}
