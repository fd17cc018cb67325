package io.kvdb.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.spi.LogFactory;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.replication.testing.Nodes;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.SegmentedWal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node makes every log through its {@link LogFactory} (architecture issue: replication depends on
 * the log's interfaces only): its own log, and a full sync's directory and catch-up log.
 */
class LogFactoryTest {
  @TempDir Path dir;

  /** Delegates to SegmentedWal's factory and records what it was asked. */
  static final class Recording implements LogFactory {
    final LogFactory real = SegmentedWal.factory(w -> w.fsync(FsyncPolicy.ALWAYS));
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public WriteAheadLog create(Path directory, long preloadedSnapshot, boolean automatic) {
      calls.add("create " + directory.getFileName() + " " + preloadedSnapshot + " " + automatic);
      return real.create(directory, preloadedSnapshot, automatic);
    }

    @Override
    public void createFromSnapshot(Path d, long lsn, LogHistory h, StoreState entries)
        throws IOException {
      calls.add("createFromSnapshot " + lsn);
      real.createFromSnapshot(d, lsn, h, entries);
    }

    @Override
    public void truncateAfter(Path d, long lsn) throws IOException {
      calls.add("truncateAfter " + lsn);
      real.truncateAfter(d, lsn);
    }

    @Override
    public void checkTruncateAfter(Path d, long lsn) throws IOException {
      calls.add("checkTruncateAfter " + lsn);
      real.checkTruncateAfter(d, lsn);
    }
  }

  @Test
  void everyLogOfANodeComesFromItsFactory() throws Exception {
    Recording masterLogs = new Recording();
    Recording slaveLogs = new Recording();
    try (ReplicationNode master = Nodes.master(dir.resolve("m"), b -> b.logFactory(masterLogs))) {
      for (int i = 0; i < 100; i++) {
        master.store().put("k" + i, "v" + i);
      }
      master.wal().snapshot().get(); // so the slave needs a full sync (SPI snapshot)
      try (ReplicationNode slave =
          Nodes.slave(dir.resolve("s"), Nodes.port(master), b -> b.logFactory(slaveLogs))) {
        Nodes.awaitEqual(master, slave);
        assertThat(slave.store().get("k42")).isEqualTo("v42");
      }
    }
    assertThat(masterLogs.calls).containsExactly("create m 0 true");
    assertThat(slaveLogs.calls.get(0)).isEqualTo("create s 0 true");
    assertThat(slaveLogs.calls).anyMatch(c -> c.startsWith("createFromSnapshot "));
    // the switch opens the synced data directory through the factory too
    assertThat(slaveLogs.calls.subList(1, slaveLogs.calls.size()))
        .anyMatch(c -> c.startsWith("create s "));
  }
}
