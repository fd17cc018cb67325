package io.kvdb.core.spi;

/**
 * What a {@link WriteAheadLog} may do to the store that owns it: replay records into it during
 * recovery, and read it for a snapshot.
 *
 * <p>Thread safety: {@link #apply} is called only during {@link WriteAheadLog#open}, from one
 * thread, before the store serves any operation. {@link #snapshot} may be called from any thread at
 * any time while writes go on.
 */
public interface StoreState {

  /** Applies a recovered record to memory without logging it again. */
  void apply(WalRecord record);

  /**
   * Visits every entry, one shard at a time, while writes keep flowing (a fuzzy snapshot). The
   * caller must read {@link WriteAheadLog#lastLsn()} <em>before</em> calling this: every write with
   * an LSN up to that one is visible to the visitor, and later writes may or may not be, which is
   * exact once the log from that LSN on is replayed over the snapshot (records are idempotent).
   */
  void snapshot(EntryVisitor visitor);

  /** Receives snapshot entries. Arrays are owned by the store: read them, never modify them. */
  @FunctionalInterface
  interface EntryVisitor {
    void visit(byte[] key, byte[] value, long expireAtMillis);
  }
}
