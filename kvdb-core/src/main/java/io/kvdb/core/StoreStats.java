package io.kvdb.core;

import io.kvdb.core.spi.LogStats;

/**
 * A store's figures, for an embedding application to export with its own metrics registry (the kvdb
 * server's INFO and Prometheus endpoint read the same record). Immutable snapshot, read without
 * stopping writers.
 *
 * @param keys entries in memory, expired ones not yet reclaimed included
 * @param keysWithExpiry entries with a time to live
 * @param expiredKeys keys removed because they expired, since the store opened
 * @param usedMemoryBytes estimated heap taken by keys, values and their overhead
 * @param maxMemoryBytes the memory limit, 0 for none
 * @param shards the shard count
 * @param log the write-ahead log's figures, or null for a store without one
 */
public record StoreStats(
    long keys,
    long keysWithExpiry,
    long expiredKeys,
    long usedMemoryBytes,
    long maxMemoryBytes,
    int shards,
    LogStats log) {}
