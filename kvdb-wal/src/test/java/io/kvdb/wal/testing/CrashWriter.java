package io.kvdb.wal.testing;

import io.kvdb.core.KvStore;
import io.kvdb.wal.FsyncPolicy;
import io.kvdb.wal.SegmentedWal;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link io.kvdb.wal.CrashTest}: opens a store with fsync ALWAYS and writes
 * from several threads forever, printing {@code ack <key> <value>} after each write returns, until
 * it is killed. Each thread owns 40 keys and writes them in turn with increasing sequence numbers
 * ({@code generation:seq:padding}); every 11th write is a delete, acknowledged as {@code
 * -:generation:seq}.
 *
 * <p>Arguments: directory, generation (makes values unique across restarts), threads, fsync policy.
 */
public final class CrashWriter {
  private CrashWriter() {}

  /** The key thread {@code id} writes at {@code seq}. */
  public static String key(int id, long seq) {
    return "t" + id + ":" + (seq % 40);
  }

  /** The value written at {@code seq}, or null for a delete (every 11th write). */
  public static String value(int generation, long seq) {
    return seq % 11 == 10 ? null : generation + ":" + seq + ":" + "p".repeat((int) (seq % 50));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int generation = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    FsyncPolicy policy = FsyncPolicy.valueOf(args[3]);
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
    KvStore store =
        KvStore.builder()
            .shards(4)
            .wal(
                SegmentedWal.builder()
                    .directory(dir)
                    .fsync(policy)
                    .segmentSize(64 * 1024)
                    .snapshotThreshold(256 * 1024)
                    .build())
            .build();
    synchronized (out) {
      out.println("ready");
      out.flush();
    }
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                for (long seq = 0; ; seq++) {
                  String key = key(id, seq);
                  String value = value(generation, seq);
                  if (value == null) {
                    store.delete(key);
                    value = "-:" + generation + ":" + seq;
                  } else {
                    store.put(key, value);
                  }
                  synchronized (out) {
                    out.println("ack " + key + " " + value);
                    out.flush();
                  }
                }
              });
      th.start();
      workers.add(th);
    }
    for (Thread th : workers) {
      th.join();
    }
  }
}
