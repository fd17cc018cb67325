package io.kvdb.core;

import java.time.Duration;
import java.time.Instant;

/**
 * A key's time to live, as {@link KvStore#ttl} read it: the key is absent, or present without an
 * expiry, or present and expiring at {@link #expireAtMillis()}.
 *
 * @param exists whether the key exists (an expired key does not)
 * @param expireAtMillis the absolute expiry in Unix milliseconds, 0 when absent or persistent
 * @param nowMillis the store's clock when it was read
 */
public record Ttl(boolean exists, long expireAtMillis, long nowMillis) {
  /** The key is absent. */
  public static Ttl noKey(long nowMillis) {
    return new Ttl(false, 0, nowMillis);
  }

  /** Whether the key exists and will expire. */
  public boolean expires() {
    return exists && expireAtMillis != 0;
  }

  /** The time left (zero or more) when the key expires; null when it does not exist or expire. */
  public Duration remaining() {
    return expires() ? Duration.ofMillis(Math.max(0, expireAtMillis - nowMillis)) : null;
  }

  /** The expiry instant, or null when the key does not exist or expire. */
  public Instant expireAt() {
    return expires() ? Instant.ofEpochMilli(expireAtMillis) : null;
  }

  /** Redis' PTTL: -2 for no key, -1 for no expiry, else the milliseconds left. */
  public long redisMillis() {
    if (!exists) {
      return -2;
    }
    return expireAtMillis == 0 ? -1 : Math.max(0, expireAtMillis - nowMillis);
  }
}
