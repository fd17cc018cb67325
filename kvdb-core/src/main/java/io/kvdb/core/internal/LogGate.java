package io.kvdb.core.internal;

import io.kvdb.core.DurabilityException;
import io.kvdb.core.spi.WriteAheadLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a store's operations ask of its log around the write path: room before writing
 * (back-pressure), arrays the log may own, the failure report of a write that was not made durable,
 * and the refusal to serve a key whose last write was lost. Stateless besides its settings; any
 * thread.
 */
final class LogGate {
  private final WriteAheadLog wal; // null: no log
  private final boolean asyncWritesWait;
  private final boolean adoptArrays;

  LogGate(WriteAheadLog wal, boolean asyncWritesWait, boolean adoptArrays) {
    this.wal = wal;
    this.asyncWritesWait = asyncWritesWait;
    this.adoptArrays = adoptArrays;
  }

  /**
   * Back-pressure: waits while the log holds more queued bytes than its limit. Blocking writes
   * always wait; async ones unless the builder said they must not block (then their caller pauses
   * itself on {@code whenWritable()}). Never called with a lock held.
   */
  void awaitRoom(boolean blocking) {
    if (wal == null || !(blocking || asyncWritesWait)) {
      return;
    }
    CompletableFuture<Void> writable = wal.whenWritable();
    if (writable.isDone()) {
      return;
    }
    try {
      writable.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DurabilityException(
          "interrupted while waiting for room in the write-ahead log; nothing was written", e);
    } catch (ExecutionException e) {
      // The log failed: the append that follows reports it.
    }
  }

  /**
   * The log takes ownership of the arrays it is handed and writes them later, on its own thread, so
   * with a log every write works on copies the caller cannot touch — unless the builder said the
   * store may adopt the caller's arrays ({@code KvStoreBuilder.adoptArrays}). Without a log, {@link
   * ShardMap#putValue} copies anyway.
   */
  byte[] owned(byte[] array) {
    return wal == null || adoptArrays ? array : array.clone();
  }

  /**
   * After a log failure, a key whose last write never became durable is not served: its caller was
   * told the write failed, and a read must not show it (docs/reliability.md).
   */
  void refuseLostWrite(byte[] key) {
    if (wal != null && wal.lostWriteOf(key)) {
      throw new DurabilityException(
          // The server answers "MISCONF Errors writing to the write-ahead log: " + this.
          "the last write of this key was not made durable, and its value is not served", null);
    }
  }

  /** Waits for a write's future; a failure is reported as {@link DurabilityException}. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof DurabilityException d) {
        throw d;
      }
      throw new DurabilityException("the write could not be made durable: " + cause, cause);
    }
  }
}
