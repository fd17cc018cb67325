package io.kvdb.replication;

/**
 * One slave as its master sees it.
 *
 * @param id the slave's id (from its HELLO)
 * @param address where it connected from
 * @param state {@code handshake}, {@code full_sync}, {@code online}
 * @param ackedLsn the last LSN it reported applied
 * @param durableLsn the last LSN it reported durable in its own log
 * @param lagMillis milliseconds since its last acknowledgement
 */
public record SlaveInfo(
    String id, String address, String state, long ackedLsn, long durableLsn, long lagMillis) {}
