package io.kvdb.server.connection;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which transactions watch which keys, server-wide. A write command marks the watchers of each key
 * it names dirty <em>before</em> it runs: an EXEC checks its dirty flag while it holds the locks of
 * its keys, so a write either marked it before that check, or runs after the EXEC. A write that
 * changes nothing (SET NX on an existing key) still marks its key, which can only abort a
 * transaction that would otherwise have committed — never the reverse. When nobody watches, the
 * cost per write is one {@code isEmpty()}. Thread-safe.
 */
public final class WatchedKeys {
  private final Map<ByteBuffer, Set<Transaction>> byKey = new ConcurrentHashMap<>();

  public void watch(byte[] key, Transaction tx) {
    byKey.computeIfAbsent(ByteBuffer.wrap(key.clone()), k -> ConcurrentHashMap.newKeySet()).add(tx);
  }

  public void unwatchAll(Transaction tx) {
    for (ByteBuffer key : tx.watched().keySet()) {
      byKey.computeIfPresent(key, (k, set) -> set.remove(tx) && set.isEmpty() ? null : set);
    }
    tx.clearWatched();
  }

  /** Whether no transaction watches anything: then writes need not look at their keys. */
  public boolean isEmpty() {
    return byKey.isEmpty();
  }

  /** A write names {@code keys}. */
  public void touch(List<byte[]> keys) {
    if (byKey.isEmpty()) {
      return;
    }
    for (byte[] k : keys) {
      Set<Transaction> watchers = byKey.get(ByteBuffer.wrap(k));
      if (watchers != null) {
        watchers.forEach(Transaction::markDirty);
      }
    }
  }

  /** A write that changes every key (FLUSHALL). */
  public void touchAll() {
    if (!byKey.isEmpty()) {
      byKey.values().forEach(set -> set.forEach(Transaction::markDirty));
    }
  }
}
