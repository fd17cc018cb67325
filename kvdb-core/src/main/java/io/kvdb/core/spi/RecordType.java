package io.kvdb.core.spi;

/**
 * What a {@link WalRecord} does. The numeric codes are part of the on-disk format and never change;
 * new types take new codes.
 */
public enum RecordType {
  /** Set key to value (with an optional absolute expiry). */
  PUT((byte) 1),
  /** Remove key. */
  DELETE((byte) 2),
  /** Remove every key (FLUSHALL). Key and value are empty. */
  CLEAR((byte) 3),
  /**
   * Several mutations applied as one (MSET, DEL of many keys, a transaction): the key is empty and
   * the value is {@link BatchCodec}'s encoding. One record, one LSN, one checksum: it is durable,
   * recovered and shipped to replicas whole or not at all.
   */
  BATCH((byte) 4),
  /**
   * Change the expiry of key, if it exists, to the record's absolute {@code expireAtMillis} (0
   * makes it persistent). The value is empty: a TTL change does not rewrite the value, as Redis'
   * AOF logs PEXPIREAT. Idempotent like every record: it sets, never adds.
   */
  EXPIRE((byte) 5);

  private static final RecordType[] BY_CODE = new RecordType[6];

  static {
    for (RecordType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final byte code;

  RecordType(byte code) {
    this.code = code;
  }

  /** The byte stored on disk and on the wire. */
  public byte code() {
    return code;
  }

  /**
   * @return the type with this code, or null when the code is unknown
   */
  public static RecordType fromCode(byte code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
