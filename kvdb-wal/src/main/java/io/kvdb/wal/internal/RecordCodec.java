package io.kvdb.wal.internal;

import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of one log record (big-endian):
 *
 * <pre>
 * offset size field
 *  0     4    crc32c of bytes [4, 8 + bodyLength): the length and the body
 *  4     4    bodyLength = 21 + keyLength + valueLength
 *  8     8    lsn
 * 16     1    type (1 PUT, 2 DELETE, 3 CLEAR, 4 BATCH: the value holds the mutations)
 * 17     8    expireAtMillis (0 = no expiry)
 * 25     4    keyLength
 * 29     k    key
 * 29+k   v    value
 * </pre>
 *
 * The checksum covers the length field, so a corrupted length is caught like any other damage.
 * Stateless and thread-safe.
 */
public final class RecordCodec {
  public static final int PREFIX = 8;
  public static final int FIXED_BODY = 21;
  public static final int OVERHEAD = PREFIX + FIXED_BODY;

  /** The largest body accepted when reading: two 512 MiB strings plus the fixed fields. */
  public static final long MAX_BODY = (1L << 30) + FIXED_BODY;

  private RecordCodec() {}

  public static int encodedSize(byte[] key, byte[] value) {
    return OVERHEAD + key.length + value.length;
  }

  /** Writes one record at the buffer's position, which must have room for it. */
  public static void encode(
      ByteBuffer buf, long lsn, RecordType type, byte[] key, byte[] value, long expireAt) {
    int start = buf.position();
    int bodyLength = FIXED_BODY + key.length + value.length;
    putHeader(buf, 0, bodyLength, lsn, type, expireAt, key.length); // crc filled in below
    buf.put(key);
    buf.put(value);
    buf.putInt(start, crc(buf, start + 4, 4 + bodyLength));
  }

  /**
   * Writes a record's prefix and fixed fields (everything before the key), for a record whose key
   * and value the caller streams after it.
   */
  public static void putHeader(
      ByteBuffer buf,
      int crc,
      int bodyLength,
      long lsn,
      RecordType type,
      long expireAt,
      int keyLen) {
    buf.putInt(crc);
    buf.putInt(bodyLength);
    buf.putLong(lsn);
    buf.put(type.code());
    buf.putLong(expireAt);
    buf.putInt(keyLen);
  }

  /**
   * The checksum of a record computed from its parts, for a record too large to checksum in a
   * buffer: the same value {@link #encode} stores.
   */
  public static int crc(long lsn, RecordType type, byte[] key, byte[] value, long expireAt) {
    ByteBuffer fixed = ByteBuffer.allocate(4 + FIXED_BODY);
    fixed.putInt(FIXED_BODY + key.length + value.length);
    fixed.putLong(lsn).put(type.code()).putLong(expireAt).putInt(key.length);
    CRC32C crc = new CRC32C();
    crc.update(fixed.array());
    crc.update(key);
    crc.update(value);
    return (int) crc.getValue();
  }

  static int crc(ByteBuffer buf, int from, int length) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buf.duplicate();
    view.limit(from + length).position(from);
    crc.update(view);
    return (int) crc.getValue();
  }

  /**
   * Decodes the record whose prefix starts at {@code start}; the whole record must be in the
   * buffer.
   *
   * @return the record, or null when the checksum or the fields are invalid
   */
  public static WalRecord decode(ByteBuffer buf, int start, int bodyLength) {
    if (crc(buf, start + 4, 4 + bodyLength) != buf.getInt(start)) {
      return null;
    }
    int p = start + PREFIX;
    long lsn = buf.getLong(p);
    RecordType type = RecordType.fromCode(buf.get(p + 8));
    long expireAt = buf.getLong(p + 9);
    int keyLength = buf.getInt(p + 17);
    int valueLength = bodyLength - FIXED_BODY - keyLength;
    if (type == null || lsn < 1 || keyLength < 0 || valueLength < 0) {
      return null;
    }
    byte[] key = new byte[keyLength];
    byte[] value = new byte[valueLength];
    buf.get(p + FIXED_BODY, key);
    buf.get(p + FIXED_BODY + keyLength, value);
    return new WalRecord(lsn, type, key, value, expireAt);
  }
}
