package io.kvdb.core.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * One change inside a logged operation: a {@link RecordType#PUT}, {@link RecordType#DELETE}, {@link
 * RecordType#EXPIRE} or {@link RecordType#CLEAR}. A single-key write is logged as one record
 * holding one mutation; a multi-key write (MSET, DEL of several keys, a transaction) as one {@link
 * RecordType#BATCH} record holding all of its mutations, so that it is durable, recovered and
 * replicated whole or not at all.
 *
 * @param type PUT, DELETE, EXPIRE or CLEAR (never BATCH: batches do not nest)
 * @param key the key (empty for CLEAR); never null
 * @param value the value for PUT, empty otherwise; never null
 * @param expireAtMillis absolute expiry in Unix milliseconds, 0 for none (for EXPIRE: the new
 *     expiry, 0 to remove it)
 */
public record Mutation(RecordType type, byte[] key, byte[] value, long expireAtMillis) {
  private static final byte[] EMPTY = new byte[0];

  public Mutation {
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(value, "value must not be null");
    if (type == RecordType.BATCH) {
      throw new IllegalArgumentException("a mutation cannot be a BATCH: batches do not nest");
    }
  }

  public static Mutation put(byte[] key, byte[] value) {
    return new Mutation(RecordType.PUT, key, value, 0);
  }

  public static Mutation delete(byte[] key) {
    return new Mutation(RecordType.DELETE, key, EMPTY, 0);
  }

  /** Sets the expiry of {@code key} if it exists ({@code expireAtMillis} 0: no expiry). */
  public static Mutation expire(byte[] key, long expireAtMillis) {
    return new Mutation(RecordType.EXPIRE, key, EMPTY, expireAtMillis);
  }

  public static Mutation put(byte[] key, byte[] value, long expireAtMillis) {
    return new Mutation(RecordType.PUT, key, value, expireAtMillis);
  }

  public static Mutation clear() {
    return new Mutation(RecordType.CLEAR, EMPTY, EMPTY, 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mutation m
        && type == m.type
        && expireAtMillis == m.expireAtMillis
        && Arrays.equals(key, m.key)
        && Arrays.equals(value, m.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, expireAtMillis, Arrays.hashCode(key), Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "Mutation[" + type + ", keyBytes=" + key.length + ", valueBytes=" + value.length + "]";
  }
}
