package io.kvdb.wal.internal;

import io.kvdb.core.spi.BatchCodec;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys whose last write never became durable once the log failed: applied in memory (a write is
 * applied after its append), its client told it failed. Reads must not show them
 * (docs/reliability.md). Filled once, by the failure; read by any thread.
 */
final class LostWrites {
  private final Set<ByteBuffer> keys = ConcurrentHashMap.newKeySet();
  private volatile boolean everything; // a CLEAR was among the records that failed

  /** Remembers the keys of records that will never be durable. */
  void remember(Iterable<Pending> records) {
    for (Pending p : records) {
      switch (p.type) {
        case CLEAR -> everything = true;
        case BATCH -> {
          for (Mutation m : BatchCodec.decode(p.value())) {
            if (m.type() == RecordType.CLEAR) {
              everything = true;
            } else {
              keys.add(ByteBuffer.wrap(m.key()));
            }
          }
        }
        default -> keys.add(ByteBuffer.wrap(p.key()));
      }
    }
  }

  boolean contains(byte[] key) {
    return everything || keys.contains(ByteBuffer.wrap(key));
  }
}
