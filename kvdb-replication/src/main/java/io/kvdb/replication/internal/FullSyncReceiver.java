package io.kvdb.replication.internal;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The slave's side of a full sync, after FULL_BEGIN: builds the master's state beside ours and
 * hands it to the node to switch to.
 *
 * <ol>
 *   <li>The entries (ENTRIES frames up to FULL_END with E) go to the new directory's snapshot file
 *       at S and, at the same time, into the store that will serve them ({@link EntryLoader}, on a
 *       thread of its own): the dataset is never loaded from the file again.
 *   <li>The records from S+1 to E (written on the master during its walk) go to the new directory's
 *       log alone, fsynced before the directory becomes our data.
 *   <li>The node switches to the new directory and store ({@link LinkHost#installFullSync}).
 * </ol>
 *
 * A failure at any step leaves the node's data as it was (the directory is rebuilt next time).
 */
final class FullSyncReceiver {
  /** Reads the next frame from the master (the link counts it as I/O). */
  @FunctionalInterface
  interface FrameSource {
    Frame read(DataInputStream in) throws IOException;
  }

  /** What arrived: the end LSN E and the number of entries. */
  record Received(long endLsn, long entries) {}

  /** Recovery of the new directory's log replays into nothing: only its LSNs matter here. */
  private static final StoreState DISCARD =
      new StoreState() {
        @Override
        public void apply(WalRecord record) {}

        @Override
        public void snapshot(EntryVisitor visitor) {}
      };

  private final LinkHost host;
  private final FrameSource frames;
  private final long loadTimeoutMillis;

  FullSyncReceiver(LinkHost host, FrameSource frames, long loadTimeoutMillis) {
    this.host = host;
    this.frames = frames;
    this.loadTimeoutMillis = loadTimeoutMillis;
  }

  Received receive(DataInputStream in, LogHistory history, long snapshotLsn) throws IOException {
    Path dir = host.fullSyncDirectory();
    long[] end = {-1};
    long[] entries = {0};
    StoreEngine filled = host.unopened(snapshotLsn);
    try (EntryLoader loader = new EntryLoader(filled)) { // loads while we read
      StoreState incoming =
          new StoreState() {
            @Override
            public void apply(WalRecord record) {
              throw new UnsupportedOperationException();
            }

            @Override
            public void snapshot(EntryVisitor visitor) {
              try {
                readEntries(
                    in,
                    (k, v, x) -> {
                      visitor.visit(k, v, x);
                      loader.add(k, v, x);
                    },
                    end,
                    entries);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          };
      try {
        host.createLog(dir, snapshotLsn, history, incoming);
        if (snapshotLsn == 0) {
          readEntries(in, (k, v, x) -> {}, end, entries); // an empty master: just its FULL_END
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (end[0] < snapshotLsn) {
        throw new IOException("full sync ended without its end LSN");
      }
      loader.finish(loadTimeoutMillis); // every entry in the store before it is used
      if (end[0] > snapshotLsn) { // else nothing was written during the walk: no catch-up
        catchUp(in, dir, snapshotLsn, end[0]);
      }
      host.installFullSync(dir, filled);
      return new Received(end[0], entries[0]);
    }
  }

  /**
   * Logs S+1..E in the new directory's log alone. Told that the snapshot at S is loaded, its
   * recovery reads the snapshot's header only (it used to read and decode every entry only to
   * discard them: 0.5-0.8 s for 1M entries, docs/benchmarks.md).
   */
  private void catchUp(DataInputStream in, Path dir, long snapshotLsn, long endLsn)
      throws IOException {
    WriteAheadLog newLog = host.log(dir, snapshotLsn);
    newLog.open(DISCARD);
    try {
      while (newLog.lastLsn() < endLsn) {
        Frame f = frames.read(in);
        if (f.type() == Frame.Type.RECORDS) {
          ByteBuffer p = f.payload();
          int n = p.getInt();
          for (int i = 0; i < n; i++) {
            newLog.appendAt(Frame.getRecord(p)); // checks the LSN is the next one
          }
        } else if (f.type() != Frame.Type.PING) {
          throw new IOException("unexpected " + f.type() + " while catching up a full sync");
        }
      }
      newLog.whenDurable(newLog.lastLsn()).join(); // durable before it becomes our data
    } catch (RuntimeException e) {
      throw new IOException("cannot catch up the full sync: " + e, e);
    } finally {
      newLog.close();
    }
  }

  private void readEntries(
      DataInputStream in, StoreState.EntryVisitor visitor, long[] end, long[] count)
      throws IOException {
    while (true) {
      Frame f = frames.read(in);
      ByteBuffer p = f.payload();
      try {
        switch (f.type()) {
          case ENTRIES -> {
            int n = p.getInt();
            for (int i = 0; i < n; i++) {
              byte[] key = Frame.getBytes(p);
              byte[] value = Frame.getBytes(p);
              visitor.visit(key, value, p.getLong());
              count[0]++;
            }
          }
          case FULL_END -> {
            end[0] = p.getLong();
            long sent = p.getLong();
            if (sent != count[0]) {
              throw new IOException("full sync sent " + sent + " entries, received " + count[0]);
            }
            return;
          }
          case PING -> {}
          default -> throw new IOException("unexpected " + f.type() + " during a full sync");
        }
      } catch (RuntimeException e) {
        throw new IOException("malformed " + f.type() + ": " + e, e);
      }
    }
  }
}
