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
 * @param announcedPort the port it serves clients on (Redis' replica-announce-port), 0 if unknown
 * @param refusal why this master refused it (state {@code refused}), else null
 */
public record SlaveInfo(
    String id,
    String address,
    String state,
    long ackedLsn,
    long durableLsn,
    long lagMillis,
    int announcedPort,
    String refusal) {
  /** The address's host part. */
  public String ip() {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? address : address.substring(0, colon);
  }

  /** The port clients reach it on: the announced one, else the one it connected from. */
  public int port() {
    if (announcedPort > 0) {
      return announcedPort;
    }
    int colon = address.lastIndexOf(':');
    try {
      return colon < 0 ? 0 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
