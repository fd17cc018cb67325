package io.kvdb.core;

import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.WriteAheadLog;
import java.time.Clock;
import java.util.ServiceLoader;

/**
 * Builds a {@link KvStore}. Every setter validates its argument at once and names the bad value.
 *
 * <pre>{@code
 * KvStore store = KvStore.builder()
 *     .shards(16)
 *     .wal(SegmentedWal.builder().directory(Path.of("data")).build())
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; build on one thread, then share the store.
 */
public final class KvStoreBuilder {
  /** Redis' limit for one string: 512 MiB. */
  public static final int DEFAULT_MAX_KEY_SIZE = 512 * 1024 * 1024;

  public static final int DEFAULT_MAX_VALUE_SIZE = 512 * 1024 * 1024;
  public static final int MAX_SHARDS = 1 << 16;

  private int shards = -1;
  private WriteAheadLog wal;
  private int maxKeySize = DEFAULT_MAX_KEY_SIZE;
  private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
  private long maxMemory;
  private boolean asyncWritesWaitForLog = true;
  private boolean adoptArrays;
  private Clock clock = Clock.systemUTC();
  private boolean removeExpiredKeys = true;

  KvStoreBuilder() {}

  /**
   * The number of shards: a power of two from 1 to 65536. Default: the smallest power of two that
   * is at least 4 x {@code Runtime.availableProcessors()}, so that threads rarely meet on one lock.
   */
  public KvStoreBuilder shards(int shards) {
    if (shards < 1 || shards > MAX_SHARDS || Integer.bitCount(shards) != 1) {
      throw new IllegalArgumentException(
          "shards must be a power of two from 1 to " + MAX_SHARDS + ", got " + shards);
    }
    this.shards = shards;
    return this;
  }

  /**
   * The write-ahead log that makes writes durable. The store opens it (replaying its contents) in
   * {@link #build()} and closes it in {@link KvStore#close()}. Default: none.
   */
  public KvStoreBuilder wal(WriteAheadLog wal) {
    if (wal == null) {
      throw new NullPointerException("wal must not be null");
    }
    this.wal = wal;
    return this;
  }

  /** The largest key accepted, in bytes (default 512 MiB). */
  public KvStoreBuilder maxKeySize(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxKeySize must be at least 1 byte, got " + bytes);
    }
    this.maxKeySize = bytes;
    return this;
  }

  /** The largest value accepted, in bytes (default 512 MiB). */
  public KvStoreBuilder maxValueSize(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxValueSize must not be negative, got " + bytes);
    }
    this.maxValueSize = bytes;
    return this;
  }

  /**
   * The most bytes the data may take (keys, values and per-entry overhead, estimated); a write that
   * would grow the data past it throws {@link LimitExceededException} naming {@code maxMemory}, and
   * nothing is logged. Deletes always work. 0 (the default) means no limit.
   */
  public KvStoreBuilder maxMemory(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxMemory must not be negative, got " + bytes);
    }
    this.maxMemory = bytes;
    return this;
  }

  /**
   * Whether the async writes ({@code putAsync}, {@code compute}, {@code putAllAsync}, ...) block
   * the calling thread while the log holds more queued bytes than its limit (default true). Set
   * false only when every caller pauses itself on {@link KvStore#whenWritable()} and must never
   * block, as a server's event loop does: then those writes go straight to the log, and bounding
   * memory is the caller's job. The blocking writes always wait.
   */
  public KvStoreBuilder asyncWritesWaitForLog(boolean wait) {
    this.asyncWritesWaitForLog = wait;
    return this;
  }

  /**
   * Whether writes keep the key and value arrays they are given instead of copying them (default
   * false: every write copies, so a caller may reuse its arrays at once). With a log, a record's
   * arrays are written later, on the log's thread; adopting them saves one copy per write — for a
   * caller that never modifies an array once it passed it, as a server whose request decoder makes
   * a fresh array per argument. A caller that breaks the promise may log bytes that differ from
   * what memory holds.
   */
  public KvStoreBuilder adoptArrays(boolean adopt) {
    this.adoptArrays = adopt;
    return this;
  }

  /**
   * The clock that key expiry is measured against (default: the system clock). A test can pass a
   * clock it moves by hand.
   */
  public KvStoreBuilder clock(Clock clock) {
    if (clock == null) {
      throw new NullPointerException("clock must not be null");
    }
    this.clock = clock;
    return this;
  }

  /**
   * Whether the store removes expired keys itself (default true): a background expirer and any
   * write that meets an expired key remove it and log the removal. A replication replica's store
   * sets false: its master's logged removals reach it instead, so that its contents never depend on
   * its own clock. Readers never see an expired key either way.
   */
  public KvStoreBuilder removeExpiredKeys(boolean remove) {
    this.removeExpiredKeys = remove;
    return this;
  }

  /**
   * Opens the store, replaying the WAL if there is one.
   *
   * @throws java.io.UncheckedIOException if the log cannot be opened or recovered
   */
  public KvStore build() {
    return buildEngine();
  }

  /**
   * Opens the store as {@link #build}, with the engine's interface for the layers built on it
   * (replication, a server).
   */
  public StoreEngine buildEngine() {
    return Engines.FACTORY.open(this);
  }

  /**
   * A store whose log is not opened yet: {@link StoreEngine#load} fills it, then {@link
   * StoreEngine#openLog} recovers the log into it (a replica's full sync).
   */
  public StoreEngine buildUnopened() {
    return Engines.FACTORY.unopened(this);
  }

  /** The engine, found once: the API names no implementation (kvdb-core registers its own). */
  private static final class Engines {
    static final StoreEngine.Factory FACTORY =
        ServiceLoader.load(StoreEngine.Factory.class, KvStoreBuilder.class.getClassLoader())
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no kvdb store engine on the class path (kvdb-core registers one in"
                            + " META-INF/services/io.kvdb.core.spi.StoreEngine$Factory)"));
  }

  public int shards() {
    if (shards > 0) {
      return shards;
    }
    int wanted = Math.max(1, Runtime.getRuntime().availableProcessors() * 4);
    return wanted <= 1 ? 1 : Math.min(MAX_SHARDS, Integer.highestOneBit(wanted - 1) << 1);
  }

  public WriteAheadLog wal() {
    return wal;
  }

  public int maxKeySize() {
    return maxKeySize;
  }

  public int maxValueSize() {
    return maxValueSize;
  }

  public long maxMemory() {
    return maxMemory;
  }

  public boolean adoptArrays() {
    return adoptArrays;
  }

  public boolean asyncWritesWaitForLog() {
    return asyncWritesWaitForLog;
  }

  public Clock clock() {
    return clock;
  }

  public boolean removeExpiredKeys() {
    return removeExpiredKeys;
  }
}
