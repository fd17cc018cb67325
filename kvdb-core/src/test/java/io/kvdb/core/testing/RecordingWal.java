package io.kvdb.core.testing;

import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreState;
import io.kvdb.core.spi.WalRecord;
import io.kvdb.core.spi.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A WriteAheadLog that keeps records in a list and completes futures only when told to, so tests
 * can check what the store hands to a log and when it acknowledges.
 */
public final class RecordingWal implements WriteAheadLog {
  private final List<WalRecord> records = new ArrayList<>();
  private final List<CompletableFuture<Void>> pending = new ArrayList<>();
  private final List<WalRecord> toReplay;
  private final boolean autoComplete;
  private final List<DurableListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private long durable;
  private Throwable failure;
  private boolean closed;

  public RecordingWal(boolean autoComplete, List<WalRecord> toReplay) {
    this.autoComplete = autoComplete;
    this.toReplay = toReplay;
  }

  public RecordingWal(boolean autoComplete) {
    this(autoComplete, List.of());
  }

  @Override
  public synchronized RecoveryReport open(StoreState state) {
    for (WalRecord r : toReplay) {
      state.apply(r);
      records.add(r);
    }
    durable = records.size();
    return new RecoveryReport(
        0, 0, 0, toReplay.size(), records.size(), 0, 0, java.time.Duration.ZERO);
  }

  @Override
  public synchronized CompletableFuture<Void> append(
      RecordType type, byte[] key, byte[] value, long expireAtMillis) {
    return appendAt(new WalRecord(records.size() + 1, type, key, value, expireAtMillis));
  }

  @Override
  public synchronized CompletableFuture<Void> appendAt(WalRecord record) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (record.lsn() != records.size() + 1) {
      throw new IllegalArgumentException("expected LSN " + (records.size() + 1));
    }
    records.add(record);
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (failure != null) {
      f.completeExceptionally(failure);
      return f;
    }
    pending.add(f);
    if (autoComplete) {
      completeAll();
    }
    return f;
  }

  /** Fails every later append's future with {@code cause}. */
  public synchronized void failFromNowOn(Throwable cause) {
    failure = cause;
  }

  /** Completes every pending future, in LSN order. */
  public synchronized void completeAll() {
    for (CompletableFuture<Void> f : pending) {
      f.complete(null);
    }
    pending.clear();
    durable = records.size();
  }

  public synchronized List<WalRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public synchronized long lastLsn() {
    return records.size();
  }

  @Override
  public synchronized long durableLsn() {
    return durable;
  }

  @Override
  public synchronized CompletableFuture<Void> whenDurable(long lsn) {
    if (lsn <= durable) {
      return CompletableFuture.completedFuture(null);
    }
    return pending.get((int) (lsn - durable - 1)).thenApply(v -> null);
  }

  @Override
  public LogCursor openCursor(long fromLsn) throws IOException {
    throw new UnsupportedOperationException("not needed by these tests");
  }

  @Override
  public void addListener(DurableListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(DurableListener listener) {
    listeners.remove(listener);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  public synchronized boolean isClosed() {
    return closed;
  }
}
