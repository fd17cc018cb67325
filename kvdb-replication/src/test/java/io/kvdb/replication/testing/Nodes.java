package io.kvdb.replication.testing;

import static org.awaitility.Awaitility.await;

import io.kvdb.replication.ReplicationNode;
import io.kvdb.replication.ReplicationNodeBuilder;
import io.kvdb.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Builders for the nodes of replication tests: short heartbeats and backoff, loopback only. */
public final class Nodes {
  private Nodes() {}

  public static ReplicationNodeBuilder base(Path dir) {
    return ReplicationNode.builder()
        .dataDirectory(dir)
        .wal(w -> w.fsync(FsyncPolicy.ALWAYS))
        .store(s -> s.shards(8))
        .heartbeat(Duration.ofMillis(50))
        .timeout(Duration.ofSeconds(5))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
  }

  public static ReplicationNode master(Path dir) throws IOException {
    return base(dir).listen("127.0.0.1", 0).build();
  }

  public static ReplicationNode master(Path dir, UnaryOperator<ReplicationNodeBuilder> more)
      throws IOException {
    return more.apply(base(dir).listen("127.0.0.1", 0)).build();
  }

  public static ReplicationNode slave(Path dir, int port) throws IOException {
    return base(dir).replicaOf("127.0.0.1", port).build();
  }

  public static ReplicationNode slave(
      Path dir, int port, UnaryOperator<ReplicationNodeBuilder> more) throws IOException {
    return more.apply(base(dir).replicaOf("127.0.0.1", port)).build();
  }

  public static int port(ReplicationNode master) {
    return master.status().listenPort();
  }

  /** Waits until every slave has the master's exact data. */
  public static void awaitEqual(ReplicationNode master, ReplicationNode... slaves) {
    for (ReplicationNode s : slaves) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptionsInstanceOf(IllegalStateException.class) // LOADING during a switch
          .until(
              () ->
                  s.store().lastLsn() == master.store().lastLsn()
                      && s.digest().equals(master.digest()));
    }
  }
}
