package io.kvdb.wal.internal;

import io.kvdb.core.spi.RecordType;
import java.util.concurrent.CompletableFuture;

/** A record waiting for the writer; it is its own durability future (one allocation, not two). */
final class Pending extends CompletableFuture<Void> {
  final long lsn;
  final RecordType type;
  final byte[] key;
  final byte[] value;
  final long expireAt;

  Pending(long lsn, RecordType type, byte[] key, byte[] value, long expireAt) {
    this.lsn = lsn;
    this.type = type;
    this.key = key;
    this.value = value;
    this.expireAt = expireAt;
  }

  int encodedSize() {
    return RecordCodec.OVERHEAD + key.length + value.length;
  }
}
