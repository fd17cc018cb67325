package io.kvdb.replication;

import io.kvdb.core.spi.LogHistory;
import java.util.List;

/**
 * What a replication node is doing, for INFO, ROLE and monitoring. Immutable snapshot.
 *
 * @param role {@code "master"} or {@code "slave"}
 * @param history the history its log follows
 * @param lastLsn its last LSN (Redis' master_repl_offset / slave_repl_offset)
 * @param slaves the connected slaves (a master)
 * @param listenPort the port a master accepts slaves on (0 when it does not listen)
 * @param link the link to its master (a slave), else null
 * @param syncFull full syncs served (a master)
 * @param syncPartialOk continuations served (a master)
 * @param syncPartialErr continuations refused or not possible (a master)
 */
public record NodeStatus(
    String role,
    LogHistory history,
    long lastLsn,
    List<SlaveInfo> slaves,
    int listenPort,
    Link link,
    long syncFull,
    long syncPartialOk,
    long syncPartialErr) {

  /**
   * A slave's link to its master.
   *
   * @param masterHost where its master is
   * @param masterPort its master's replication port
   * @param state connecting, handshake, sync, connected, refused or down
   * @param up whether the link is streaming (Redis' master_link_status:up)
   * @param syncInProgress whether a full sync is being received
   * @param refusal why the master refuses it, while it does
   * @param secondsSinceLastIo seconds since anything arrived from the master
   * @param appliedLsn the last LSN applied
   * @param masterLastLsn the master's last LSN as last heard
   * @param consistent whether the data is a state the master had (false while catching up a full
   *     sync's snapshot to its end LSN)
   * @param fullSyncs full syncs received since the node started
   */
  public record Link(
      String masterHost,
      int masterPort,
      String state,
      boolean up,
      boolean syncInProgress,
      String refusal,
      long secondsSinceLastIo,
      long appliedLsn,
      long masterLastLsn,
      boolean consistent,
      long fullSyncs) {}
}
