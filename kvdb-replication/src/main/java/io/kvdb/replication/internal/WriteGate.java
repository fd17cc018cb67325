package io.kvdb.replication.internal;

import io.kvdb.replication.NotEnoughReplicasException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a master requires of its slaves around each write.
 *
 * <ul>
 *   <li>{@link #admit}: with {@code minSlaves > 0}, a write is refused before it reaches the log
 *       unless at least that many slaves are online and acknowledged within {@code maxLagMillis}
 *       (Redis' min-replicas-to-write / min-replicas-max-lag).
 *   <li>{@link #acknowledge}: with {@code ackSlaves > 0} (semi-synchronous), a write's future
 *       completes only once it is durable locally <em>and</em> durable on that many slaves, so a
 *       failover to one of them loses nothing acknowledged. A slave that stops acknowledging is not
 *       counted; when fewer than needed acknowledge within {@code ackTimeoutMillis} the write fails
 *       with {@link NotEnoughReplicasException} (it is applied and durable here, but was not
 *       acknowledged), and the master logs it once until slaves catch up again.
 * </ul>
 *
 * Thread-safe.
 */
public final class WriteGate {
  private static final Logger log = LoggerFactory.getLogger(WriteGate.class);

  /** No requirement. */
  public static final WriteGate OPEN = new WriteGate(null, 0, 0, 0, 0);

  private final MasterService master;
  private final int minSlaves;
  private final long maxLagMillis;
  private final int ackSlaves;
  private final long ackTimeoutMillis;
  private final AtomicBoolean degraded = new AtomicBoolean();

  public WriteGate(
      MasterService master,
      int minSlaves,
      long maxLagMillis,
      int ackSlaves,
      long ackTimeoutMillis) {
    this.master = master;
    this.minSlaves = minSlaves;
    this.maxLagMillis = maxLagMillis;
    this.ackSlaves = ackSlaves;
    this.ackTimeoutMillis = ackTimeoutMillis;
  }

  /** Refuses a write up front when too few good slaves are connected. */
  public void admit() {
    if (minSlaves > 0 && master.goodSlaves(maxLagMillis) < minSlaves) {
      throw new NotEnoughReplicasException(NotEnoughReplicasException.REFUSED);
    }
  }

  /**
   * The future a caller gets for a write whose local durability is {@code durable} and whose LSN is
   * at most {@code lsn}.
   */
  public <T> CompletableFuture<T> acknowledge(CompletableFuture<T> durable, long lsn) {
    if (ackSlaves == 0 || master == null) {
      return durable;
    }
    return durable.thenCompose(
        result ->
            master
                .waitFor(lsn, ackSlaves, true, ackTimeoutMillis)
                .thenApply(
                    n -> {
                      if (n < ackSlaves) {
                        if (degraded.compareAndSet(false, true)) {
                          log.warn(
                              "semi-synchronous replication: only {} of {} slaves acknowledged LSN {} within {} ms; writes fail with NOREPLICAS until enough slaves keep up",
                              n,
                              ackSlaves,
                              lsn,
                              ackTimeoutMillis);
                        }
                        throw new NotEnoughReplicasException(
                            "NOREPLICAS the write is durable on this master but only "
                                + n
                                + " of "
                                + ackSlaves
                                + " slaves made it durable within "
                                + ackTimeoutMillis
                                + " ms");
                      }
                      if (degraded.compareAndSet(true, false)) {
                        log.info("semi-synchronous replication: {} slaves acknowledge again", n);
                      }
                      return result;
                    }));
  }

  public boolean semiSynchronous() {
    return ackSlaves > 0;
  }
}
