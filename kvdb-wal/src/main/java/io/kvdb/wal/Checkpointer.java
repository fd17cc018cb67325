package io.kvdb.wal;

import io.kvdb.core.spi.StoreState;
import io.kvdb.wal.internal.Fsync;
import io.kvdb.wal.internal.GroupCommitter;
import io.kvdb.wal.internal.SnapshotFile;
import io.kvdb.wal.internal.WalFileNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes snapshots and deletes what they make redundant, on its own thread.
 *
 * <h2>Snapshot</h2>
 *
 * Read S = the last assigned LSN, then walk the store shard by shard while writes go on (the store
 * guarantees every write up to S is visible), then read E = the last assigned LSN again: the walk
 * may have seen any write up to E. Both go in the file. It is published only after every record up
 * to E is fsynced — whatever the fsync policy, a forced sync if need be — so a published snapshot
 * never holds a write the log could still lose, and after any crash the log reaches past E: the
 * recovered state is a prefix of the history.
 *
 * <h2>Compaction</h2>
 *
 * A segment is covered when its last LSN (the next segment's first LSN minus one) is at most S; the
 * active segment never is. Covered segments are deleted, oldest first, except those a replica holds
 * via {@link #retain}, up to {@code maxRetainedBytes}; past that a replica must take a full
 * snapshot.
 */
final class Checkpointer implements GroupCommitter.Events {
  private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

  private final WalOptions options;
  private final String name;
  private final ConcurrentSkipListMap<Long, Path> segments;
  private final StoreState state;
  private final AtomicLong bytesSinceSnapshot;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final List<LongSupplier> holds = new CopyOnWriteArrayList<>();
  private final ExecutorService executor;
  private volatile long snapshotLsn;
  private volatile long lastSnapshotMillis; // 0: none since the log opened
  private volatile long snapshotsWritten;
  private volatile long lastSnapshotDurationMillis;
  private final AtomicBoolean writing = new AtomicBoolean();
  private volatile boolean closing;
  private GroupCommitter committer;

  Checkpointer(
      WalOptions options,
      String name,
      ConcurrentSkipListMap<Long, Path> segments,
      StoreState state,
      long snapshotLsn,
      long bytesSinceSnapshot) {
    this.options = options;
    this.name = name;
    this.segments = segments;
    this.state = state;
    this.snapshotLsn = snapshotLsn;
    this.bytesSinceSnapshot = new AtomicLong(bytesSinceSnapshot);
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "kvdb-wal-snapshot[" + name + "]");
              t.setDaemon(true);
              return t;
            });
  }

  void attach(GroupCommitter committer) {
    this.committer = committer;
    maybeSchedule(0);
  }

  @Override
  public void segmentCreated(long firstLsn, Path file) {
    segments.put(firstLsn, file);
  }

  @Override
  public void bytesWritten(long bytes) {
    maybeSchedule(bytes);
  }

  private void maybeSchedule(long bytes) {
    long threshold = options.snapshotThreshold();
    if (threshold > 0
        && bytesSinceSnapshot.addAndGet(bytes) >= threshold
        && !closing
        && scheduled.compareAndSet(false, true)) {
      execute(
          () -> {
            try {
              snapshot();
            } catch (IOException | RuntimeException e) {
              log.error(
                  "[wal {}] snapshot failed; the log keeps growing until one succeeds: {}",
                  name,
                  e.toString());
            } finally {
              scheduled.set(false);
            }
          });
    }
  }

  /**
   * Runs a task on the snapshot thread. This is called on the log's writer thread, which a closing
   * store may race: a task refused because the thread stopped is dropped (no snapshot is due on a
   * closed log), never thrown into the writer, where it would fail the log.
   */
  private boolean execute(Runnable task) {
    try {
      executor.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      scheduled.set(false);
      log.debug("[wal {}] no snapshot: the log is closing", name);
      return false;
    }
  }

  CompletableFuture<Long> snapshotNow() {
    CompletableFuture<Long> result = new CompletableFuture<>();
    boolean accepted =
        execute(
            () -> {
              try {
                result.complete(snapshot());
              } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
              }
            });
    if (!accepted) {
      result.completeExceptionally(new IllegalStateException("the write-ahead log is closed"));
    }
    return result;
  }

  AutoCloseable retain(LongSupplier fromLsn) {
    holds.add(fromLsn);
    return () -> holds.remove(fromLsn);
  }

  /** When the last snapshot since the log opened was published (Unix ms), 0 if none was. */
  long lastSnapshotMillis() {
    return lastSnapshotMillis;
  }

  long snapshotsWritten() {
    return snapshotsWritten;
  }

  long lastSnapshotDurationMillis() {
    return lastSnapshotDurationMillis;
  }

  /** Whether a snapshot is being written now. */
  boolean writing() {
    return writing.get();
  }

  private long snapshot() throws IOException {
    writing.set(true);
    long start = System.nanoTime();
    try {
      long before = snapshotLsn;
      long lsn = writeSnapshot();
      lastSnapshotMillis = System.currentTimeMillis();
      if (lsn != before) {
        snapshotsWritten++;
        lastSnapshotDurationMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      }
      return lsn;
    } finally {
      writing.set(false);
    }
  }

  private long writeSnapshot() throws IOException {
    long bytesAtStart = bytesSinceSnapshot.get();
    long lsn = committer.lastLsn();
    if (lsn == 0 || lsn <= snapshotLsn) {
      return snapshotLsn;
    }
    long start = System.nanoTime();
    SnapshotFile.Written w =
        SnapshotFile.write(
            options.directory(), lsn, state, () -> closing, committer::lastLsn, this::awaitSynced);
    if (w == null) {
      return snapshotLsn; // cancelled by close
    }
    snapshotLsn = lsn;
    bytesSinceSnapshot.addAndGet(-bytesAtStart);
    int deleted = compact(lsn);
    log.atInfo()
        .addKeyValue("wal", name)
        .addKeyValue("lsn", lsn)
        .addKeyValue("end_lsn", w.endLsn())
        .addKeyValue("entries", w.entries())
        .addKeyValue("bytes", w.bytes())
        .log(
            "[wal {}] snapshot at LSN {} (walk ended at {}): {} entries, {} bytes in {} ms; deleted {} covered segments",
            name,
            lsn,
            w.endLsn(),
            w.entries(),
            w.bytes(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
            deleted);
    return lsn;
  }

  /** How long a snapshot waits for the fsync covering its end LSN before it is abandoned. */
  static final long SYNC_WAIT_SECONDS = 120;

  private void awaitSynced(long endLsn) throws IOException {
    try {
      committer.whenSynced(endLsn).get(SYNC_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "the log did not fsync LSN "
              + endLsn
              + " within "
              + SYNC_WAIT_SECONDS
              + " s (disk stalled?); the snapshot is abandoned",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the log", e);
    } catch (ExecutionException e) {
      throw new IOException("the log failed during the snapshot: " + e.getCause(), e.getCause());
    }
  }

  private int compact(long coveredLsn) throws IOException {
    int deleted = 0;
    Path dir = options.directory();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(WalFileNames::isSnapshot).toList()) {
        if (WalFileNames.lsnOf(p) < coveredLsn) {
          Files.deleteIfExists(p);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    long holdFloor = Long.MAX_VALUE;
    for (LongSupplier h : holds) {
      holdFloor = Math.min(holdFloor, h.getAsLong());
    }
    List<Map.Entry<Long, Path>> list = new ArrayList<>(segments.entrySet());
    long retained = 0;
    boolean dropRest = false;
    for (int i = list.size() - 2; i >= 0; i--) {
      long segLast = list.get(i + 1).getKey() - 1;
      if (segLast > coveredLsn) {
        continue;
      }
      Path p = list.get(i).getValue();
      if (!dropRest && segLast >= holdFloor) {
        long size = Files.size(p);
        if (retained + size <= options.maxRetainedBytes()) {
          retained += size;
          continue;
        }
        log.warn(
            "[wal {}] a replica needs history from LSN {} but keeping it would exceed maxRetainedBytes ({}); it will need a full snapshot",
            name,
            holdFloor,
            options.maxRetainedBytes());
      }
      dropRest = true;
      segments.remove(list.get(i).getKey());
      Files.deleteIfExists(p);
      deleted++;
    }
    Fsync.directory(dir);
    return deleted;
  }

  long snapshotLsn() {
    return snapshotLsn;
  }

  void close() throws InterruptedException {
    closing = true;
    executor.shutdown();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      log.error("[wal {}] snapshot thread did not stop within 30 s", name);
    }
  }
}
