package io.kvdb.wal;

import io.kvdb.core.spi.HistoryUnavailableException;
import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.LogFactory;
import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.LogStats;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import io.kvdb.wal.internal.CleanClose;
import io.kvdb.wal.internal.DirectoryLock;
import io.kvdb.wal.internal.GroupCommitter;
import io.kvdb.wal.internal.LogHistories;
import io.kvdb.wal.internal.SegmentCursor;
import io.kvdb.wal.internal.WalLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A segmented, checksummed, group-committed write-ahead log in one directory.
 *
 * <pre>{@code
 * KvStore store = KvStore.builder()
 *     .wal(SegmentedWal.builder().directory(Path.of("data")).fsync(FsyncPolicy.ALWAYS).build())
 *     .build();
 * }</pre>
 *
 * <p>Files: segments named by their first LSN ({@code 00000000000000000001.wal}), snapshots by the
 * LSN they cover ({@code 00000000000000052000.snap}), and a {@code LOCK} file held while the log is
 * open, so two stores can never use one directory at once. Formats: {@code docs/file-format.md}.
 *
 * <p>Opening recovers: newest snapshot, then the segments after it; a torn tail is truncated, other
 * damage refuses to open naming the file and offset. Once the log has grown by {@code
 * snapshotThreshold} bytes since the last snapshot, a snapshot is written in the background while
 * writes go on, and the segments it covers are deleted, so disk use and restart time stay bounded.
 *
 * <p>Thread-safe.
 */
public final class SegmentedWal implements WriteAheadLog {
  private static final Logger log = LoggerFactory.getLogger(SegmentedWal.class);

  private final WalOptions options;
  private final String name;
  private final ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();
  private DirectoryLock lock;
  private volatile GroupCommitter committer;
  private Checkpointer checkpointer;
  private boolean closed;
  private volatile LogHistories histories;
  // LSNs (gapAfter, gapEnd] have no record in this log: recovery continued after a snapshot whose
  // end the log lacked. Empty (0, 0] otherwise.
  private volatile long gapAfter;
  private volatile long gapEnd;

  SegmentedWal(WalOptions options) {
    this.options = options;
    this.name =
        options.directory().getFileName() == null
            ? "/"
            : options.directory().getFileName().toString();
  }

  public static SegmentedWalBuilder builder() {
    return new SegmentedWalBuilder();
  }

  /**
   * A {@link LogFactory} of segmented logs built with {@code settings} (applied to a builder whose
   * directory is set), for a replication node.
   */
  public static LogFactory factory(UnaryOperator<SegmentedWalBuilder> settings) {
    return new SegmentedWalFactory(settings);
  }

  @Override
  public synchronized RecoveryReport open(StoreState state) throws IOException {
    if (committer != null || closed) {
      throw new IllegalStateException("the log in " + options.directory() + " was already opened");
    }
    Path dir = options.directory();
    Files.createDirectories(dir);
    lock = DirectoryLock.acquire(dir);
    WalLoader.Loaded loaded = null;
    try {
      loaded =
          WalLoader.load(
              dir, state, options.truncateCorruption(), options.preloadedSnapshot(), name);
      // The history first: it may fail (a damaged HISTORY file) before any thread is started.
      if (loaded.intactLsn() < loaded.lastLsn()) {
        gapAfter = loaded.intactLsn();
        gapEnd = loaded.lastLsn();
      }
      // Consumed before anything is appended: from here on only a close says the end is clean.
      boolean cleanEnd = loaded.cleanEnd() && CleanClose.consume(dir) == loaded.lastLsn();
      histories = new LogHistories(dir, name);
      histories.recover(loaded, cleanEnd, options.fsync());
      segments.putAll(loaded.segments());
      checkpointer =
          new Checkpointer(
              options, name, segments, state, loaded.snapshotLsn(), loaded.bytesAfterSnapshot());
      committer =
          new GroupCommitter(
              name,
              dir,
              loaded.active(),
              loaded.lastLsn(),
              new GroupCommitter.Settings(
                  options.fsync(),
                  options.batchSize(),
                  options.batchTimeout().toNanos(),
                  options.segmentSize(),
                  options.maxPendingBytes(),
                  options.faults()),
              checkpointer);
      checkpointer.attach(committer);
      RecoveryReport r = loaded.report();
      log.atInfo()
          .addKeyValue("wal", name)
          .addKeyValue("lsn", r.lastLsn())
          .addKeyValue("snapshot_lsn", r.snapshotLsn())
          .addKeyValue("records_replayed", r.recordsReplayed())
          .addKeyValue("bytes_truncated", r.bytesTruncated())
          .addKeyValue("records_dropped", r.recordsDropped())
          .addKeyValue("millis", r.took().toMillis())
          .log(
              "[wal {}] recovered in {} ms: snapshot at LSN {} ({} entries), {} records replayed, {} bytes truncated, {} records dropped, last LSN {}",
              name,
              r.took().toMillis(),
              r.snapshotLsn(),
              r.snapshotEntries(),
              r.recordsReplayed(),
              r.bytesTruncated(),
              r.recordsDropped(),
              r.lastLsn());
      return r;
    } catch (IOException | RuntimeException e) {
      abandonOpen(loaded);
      releaseLock(); // last: nothing of this log runs any more
      throw e;
    }
  }

  /**
   * Undoes a failed open: stops the writer and the snapshot thread if they were started, closes the
   * active segment, so that a failed open leaks nothing and never leaves a writer running on a
   * directory whose lock is released.
   */
  private void abandonOpen(WalLoader.Loaded loaded) {
    try {
      if (checkpointer != null) {
        checkpointer.close();
      }
      if (committer != null) {
        if (!committer.close(TimeUnit.SECONDS.toMillis(30))) {
          log.error("[wal {}] writer did not stop within 30 s after a failed open", name);
        }
      } else if (loaded != null) {
        loaded.active().close();
      }
    } catch (IOException | RuntimeException e) {
      log.warn("[wal {}] cleaning up after a failed open: {}", name, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      committer = null;
      checkpointer = null;
      segments.clear();
    }
  }

  /**
   * Whether this log follows a master's history: its records arrived from a master ({@link
   * #adoptHistory}, or a full sync's {@link LogFactory#createFromSnapshot}) and it has appended
   * none of its own since. Such a log does not fork when recovery loses its tail.
   */
  @Override
  public boolean follower() {
    LogHistories h = histories;
    return h != null && h.follower();
  }

  @Override
  public LogHistory history() {
    committer();
    return histories.current();
  }

  @Override
  public synchronized LogHistory forkHistory() throws IOException {
    return histories.fork(committer().lastLsn());
  }

  @Override
  public void refuseLocalAppends(Supplier<? extends RuntimeException> refusal) {
    committer().refuseLocalAppends(refusal);
  }

  @Override
  public synchronized void adoptHistory(LogHistory adopted) throws IOException {
    committer();
    histories.adopt(adopted);
  }

  private void releaseLock() throws IOException {
    DirectoryLock l = lock;
    lock = null;
    if (l != null) {
      l.close();
    }
  }

  private GroupCommitter committer() {
    GroupCommitter c = committer;
    if (c == null) {
      throw new IllegalStateException("the write-ahead log is not open");
    }
    return c;
  }

  @Override
  public CompletableFuture<Void> append(
      RecordType type, byte[] key, byte[] value, long expireAtMillis) {
    return committer().append(type, key, value, expireAtMillis);
  }

  @Override
  public CompletableFuture<Void> appendAt(WalRecord record) {
    return committer().appendAt(record);
  }

  /**
   * The oldest LSN a cursor can still read (the first segment's first record), or the next LSN when
   * the log holds no segment below it: what a replica that is behind may continue from (Redis'
   * {@code repl_backlog_first_byte_offset}).
   */
  @Override
  public long firstRetainedLsn() {
    GroupCommitter c = committer();
    Map.Entry<Long, Path> first = segments.firstEntry();
    return first == null ? c.lastLsn() + 1 : Math.max(first.getKey(), gapEnd + 1);
  }

  /**
   * Why the log cannot write for now (no space left on its device, a read-only file system), or
   * null: it retries every second and goes on by itself; meanwhile this node's own writes are
   * refused with {@link io.kvdb.core.spi.LogStalledException}.
   */
  @Override
  public String stalled() {
    GroupCommitter c = committer;
    return c == null ? null : c.stalled();
  }

  /**
   * After the log failed: whether {@code key}'s last write is one that never became durable (its
   * client got an error, but memory may hold the value). False while the log is healthy.
   */
  @Override
  public boolean lostWriteOf(byte[] key) {
    GroupCommitter c = committer;
    return c != null && c.lost(key);
  }

  /**
   * The most bytes of compacted log kept for replicas that are behind ({@code maxRetainedBytes}).
   */
  @Override
  public long maxRetainedBytes() {
    return options.maxRetainedBytes();
  }

  @Override
  public long lastLsn() {
    return committer().lastLsn();
  }

  @Override
  public CompletableFuture<Void> whenWritable() {
    return committer().whenWritable();
  }

  @Override
  public long pendingBytes() {
    return committer().pendingBytes();
  }

  /**
   * Completes once every record up to {@code lsn} is fsynced, asking for an fsync now when the
   * policy would not do one soon (what WAITAOF waits for).
   */
  @Override
  public CompletableFuture<Void> whenSynced(long lsn) {
    return committer().whenSynced(lsn);
  }

  /** The last LSN fsynced (with ALWAYS, the durable LSN). */
  @Override
  public long syncedLsn() {
    return committer().syncedLsn();
  }

  @Override
  public void awaitDurable(CompletableFuture<?> appended) {
    committer().awaitDurable(appended);
  }

  @Override
  public long durableLsn() {
    return committer().durableLsn();
  }

  @Override
  public CompletableFuture<Void> whenDurable(long lsn) {
    return committer().whenDurable(lsn);
  }

  @Override
  public LogCursor openCursor(long fromLsn) throws IOException {
    GroupCommitter c = committer();
    if (fromLsn > gapAfter && fromLsn <= gapEnd) {
      // Recovery continued after a snapshot whose end the log lacked: these LSNs have no record.
      throw HistoryUnavailableException.gap(fromLsn, gapEnd + 1);
    }
    return new SegmentCursor(segments, c::durableLsn, fromLsn);
  }

  @Override
  public void addListener(DurableListener listener) {
    committer().addListener(listener);
  }

  @Override
  public void removeListener(DurableListener listener) {
    committer().removeListener(listener);
  }

  @Override
  public AutoCloseable retainHistory(LongSupplier fromLsn) {
    committer();
    return checkpointer.retain(fromLsn);
  }

  /**
   * Writes a snapshot now (in the background) and deletes the segments it covers.
   *
   * @return completes with the snapshot's LSN when it is published (or with the current snapshot's
   *     LSN when nothing was written since)
   */
  @Override
  public CompletableFuture<Long> snapshot() {
    committer();
    return checkpointer.snapshotNow();
  }

  /**
   * When the last snapshot since this log opened was published (Unix ms; also after a snapshot
   * found nothing new to write), 0 if none was.
   */
  @Override
  public long lastSnapshotMillis() {
    return checkpointer == null ? 0 : checkpointer.lastSnapshotMillis();
  }

  /** Whether a snapshot is being written now. */
  @Override
  public boolean snapshotInProgress() {
    return checkpointer != null && checkpointer.writing();
  }

  /**
   * The log's figures since open: group-commit counters (records per group shows how well
   * concurrent writers share fsyncs), fsync and group-size percentiles, files on disk, snapshots,
   * and the failure, if any.
   */
  @Override
  public LogStats stats() {
    return WalFigures.of(
        committer(), checkpointer, options.directory(), lastLsn(), durableLsn(), pendingBytes());
  }

  /** fsync durations since open, nanoseconds (a copy), for latency histograms. */
  public Histogram fsyncHistogram() {
    return committer().metrics().fsyncHistogram();
  }

  /**
   * The longest fsync since the previous call, in nanoseconds (0 when there was none): what a
   * latency monitor samples once a second.
   */
  public long takeMaxFsyncNanos() {
    return committer().metrics().takeMaxFsyncNanos();
  }

  /** Records per group write since open (a copy). */
  public Histogram groupSizeHistogram() {
    return committer().metrics().groupSizeHistogram();
  }

  /** The failure that stopped the log, or null while it is healthy. */
  @Override
  public Throwable failure() {
    return committer().failure();
  }

  /** The directory this log lives in. */
  public Path directory() {
    return options.directory();
  }

  /** The options this log was built with. */
  public WalOptions options() {
    return options;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (committer == null) {
      return;
    }
    try {
      checkpointer.close();
      if (!committer.close(TimeUnit.SECONDS.toMillis(30))) {
        log.error("[wal {}] writer did not finish within 30 s", name);
      } else if (committer.failure() == null) {
        CleanClose.write(options.directory(), committer.lastLsn());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing the write-ahead log", e);
    } finally {
      releaseLock();
    }
    Throwable failure = committer.failure();
    if (failure != null) {
      throw new IOException("the write-ahead log had failed: " + failure, failure);
    }
    log.atInfo()
        .addKeyValue("wal", name)
        .addKeyValue("lsn", committer.lastLsn())
        .log("[wal {}] closed at LSN {}", name, committer.lastLsn());
  }
}
