package io.kvdb.core;

import io.kvdb.core.KeyFunction.Decision;

/**
 * Decides, from a key's current value and expiry, what to write and what to return; used by {@link
 * KvStore#computeEntry}. It runs under the key's shard lock: keep it short and never call back into
 * the store from it.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface EntryFunction<R> {
  /**
   * @param value a copy of the current value, or null when the key is absent (an expired key is
   *     absent)
   * @param expireAtMillis the key's absolute expiry in Unix milliseconds, 0 when it has none (or is
   *     absent)
   * @return the decision
   */
  Decision<R> apply(byte[] value, long expireAtMillis);
}
