package io.kvdb.core.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One logged change. Records are idempotent: a PUT carries the resulting value (an increment logs
 * its result, not "+1") and expiry is an absolute time, so replaying a record twice gives the same
 * state.
 *
 * @param lsn the log sequence number, starting at 1 and contiguous
 * @param type what the record does
 * @param key the key (empty for CLEAR and BATCH); never null
 * @param value the value for PUT, the encoded mutations for BATCH ({@link BatchCodec}), empty
 *     otherwise; never null
 * @param expireAtMillis absolute expiry in Unix milliseconds, 0 for none
 */
public record WalRecord(long lsn, RecordType type, byte[] key, byte[] value, long expireAtMillis) {
  private static final byte[] EMPTY = new byte[0];

  public WalRecord {
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(value, "value must not be null");
    if (lsn < 1) {
      throw new IllegalArgumentException("lsn must be at least 1, got " + lsn);
    }
  }

  public static WalRecord put(long lsn, byte[] key, byte[] value) {
    return new WalRecord(lsn, RecordType.PUT, key, value, 0);
  }

  public static WalRecord delete(long lsn, byte[] key) {
    return new WalRecord(lsn, RecordType.DELETE, key, EMPTY, 0);
  }

  public static WalRecord clear(long lsn) {
    return new WalRecord(lsn, RecordType.CLEAR, EMPTY, EMPTY, 0);
  }

  /** One record holding every mutation of a multi-key operation. */
  public static WalRecord batch(long lsn, List<Mutation> mutations) {
    return new WalRecord(lsn, RecordType.BATCH, EMPTY, BatchCodec.encode(mutations), 0);
  }

  /**
   * What this record changes, in order: the mutations of a BATCH, or this record's one mutation.
   *
   * @throws IllegalArgumentException if a BATCH record's value is malformed
   */
  public List<Mutation> mutations() {
    return type == RecordType.BATCH
        ? BatchCodec.decode(value)
        : List.of(new Mutation(type, key, value, expireAtMillis));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WalRecord r
        && lsn == r.lsn
        && type == r.type
        && expireAtMillis == r.expireAtMillis
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lsn, type, expireAtMillis, Arrays.hashCode(key), Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    // Values are never printed: logs must not leak user data.
    return "WalRecord[lsn="
        + lsn
        + ", type="
        + type
        + ", keyBytes="
        + key.length
        + ", valueBytes="
        + value.length
        + (expireAtMillis == 0 ? "" : ", expireAt=" + expireAtMillis)
        + "]";
  }
}
