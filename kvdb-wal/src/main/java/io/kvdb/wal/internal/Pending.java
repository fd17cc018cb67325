package io.kvdb.wal.internal;

import io.kvdb.core.spi.RecordType;
import java.util.concurrent.CompletableFuture;

/**
 * A record waiting for the writer; it is its own durability future (one allocation, not two). Its
 * key and value are dropped once written, so a caller that keeps the future does not keep them.
 */
final class Pending extends CompletableFuture<Void> {
  /** Heap a queued record takes besides its key and value (this object, its queue slot). */
  static final int OVERHEAD = 96;

  final long lsn;
  final RecordType type;
  final long expireAt;
  final int encodedSize;
  private byte[] key;
  private byte[] value;

  /** A thread blocked until this record is durable, woken by the writer itself (no hand-off). */
  volatile Thread waiter;

  Pending(long lsn, RecordType type, byte[] key, byte[] value, long expireAt) {
    this.lsn = lsn;
    this.type = type;
    this.key = key;
    this.value = value;
    this.expireAt = expireAt;
    this.encodedSize = RecordCodec.encodedSize(key, value);
  }

  byte[] key() {
    return key;
  }

  byte[] value() {
    return value;
  }

  /** What this record counts against the log's limit of pending bytes. */
  long pendingBytes() {
    return (long) encodedSize + OVERHEAD;
  }

  /** Drops the key and value: called by the writer once they are in the file. */
  void written() {
    key = null;
    value = null;
  }
}
