package io.kvdb.core.spi;

import io.kvdb.core.KvStore;
import io.kvdb.core.KvStoreBuilder;

/**
 * What the layers above the store — replication and the server — need from it beyond {@link
 * KvStore}: the dataset as {@link StoreState} (a log replays into it, a snapshot walks it), a way
 * to fill a store before its log opens (a full sync), the expiry role, and the engine's own
 * figures. {@link KvStoreBuilder#buildEngine()} and {@link KvStoreBuilder#buildUnopened()} make
 * one; the implementation stays internal to kvdb-core.
 */
public interface StoreEngine extends KvStore, StoreState {
  /**
   * Puts an entry into a store whose log is not open yet ({@link KvStoreBuilder#buildUnopened}):
   * one thread, nothing else uses the store until {@link #openLog} returns.
   */
  void load(byte[] key, byte[] value, long expireAtMillis);

  /**
   * Opens and recovers the log (once). A replica fills a full sync with {@link #load} while the
   * entries arrive, and the log (told that its snapshot is already loaded) does not load them
   * again.
   */
  void openLog();

  /**
   * Whether this store removes expired keys itself: a replica does not (its master's logged
   * removals reach it), a master does. Once this returns false, nothing more is logged for expiry.
   */
  void removeExpiredKeys(boolean remove);

  /** What the log's recovery did when this store opened. */
  RecoveryReport recoveryReport();

  /** Keys removed because their expiry passed, since the store opened or {@link #resetStats}. */
  long expiredKeys();

  /** Keys with an expiry (expired ones not yet reclaimed included), read without locks. */
  long keysWithExpiry();

  /** Zeroes the statistics counters (Redis' CONFIG RESETSTAT). */
  void resetStats();

  /** The number of shards. */
  int shardCount();

  /** Entries in memory, expired ones not yet reclaimed included, counted without locks. */
  long entries();

  /** The estimated heap the data takes, read without stopping writers. */
  long usedMemory();

  /** The memory limit, 0 for none. */
  long maxMemory();

  /** Changes the memory limit (0: none); data already over it stays (deletes always work). */
  void maxMemory(long bytes);

  /**
   * Makes engines for {@link KvStoreBuilder}; kvdb-core registers its own with {@link
   * java.util.ServiceLoader} (so the API package never names the implementation).
   */
  interface Factory {
    /** A store with its log opened and recovered. */
    StoreEngine open(KvStoreBuilder builder);

    /** A store whose log is not opened yet (see {@link StoreEngine#load}). */
    StoreEngine unopened(KvStoreBuilder builder);
  }
}
