package io.kvdb.core;

/**
 * When {@link KvStore#expireAt(byte[], java.time.Instant, ExpireCondition)} changes a key's expiry:
 * the conditions of Redis' EXPIRE. A key without an expiry counts as expiring at infinity for GT
 * and LT.
 */
public enum ExpireCondition {
  /** Always (the key must exist). */
  ALWAYS,
  /** Only when the key has no expiry. */
  NX,
  /** Only when the key has an expiry. */
  XX,
  /** Only when the new expiry is later than the current one. */
  GT,
  /** Only when the new expiry is earlier than the current one. */
  LT;

  /** Whether a key whose expiry is {@code current} (0 for none) may be given {@code next}. */
  public boolean allows(long current, long next) {
    return switch (this) {
      case ALWAYS -> true;
      case NX -> current == 0;
      case XX -> current != 0;
      case GT -> current != 0 && next > current;
      case LT -> current == 0 || next < current;
    };
  }
}
