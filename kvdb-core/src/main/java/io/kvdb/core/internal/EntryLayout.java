package io.kvdb.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The layout of one entry of a {@link ShardMap}, apart from the table that probes for it.
 *
 * <p>Each entry is one {@code byte[]}: the key's 4-byte hash, a 4-byte key length, for a key with a
 * time to live its 8-byte expiry (absolute Unix milliseconds), the key, then the value (all
 * big-endian). The key length's top bit says whether the expiry is there: a key without a TTL pays
 * nothing for the feature, one with a TTL pays exactly 8 bytes. One array per entry, instead of a
 * node, a key wrapper, a key array and a value array, keeps a 16-byte key with a 100-byte value
 * near 150 bytes of heap; keeping the hash in the entry (not in a parallel {@code int[]}) saves a
 * cache miss per lookup, which is most of the cost of a read.
 *
 * <p>Stateless; an entry's hash and key never change once made (its value may be overwritten in
 * place under the shard's write lock), so racy readers get garbage at worst, never an exception.
 */
final class EntryLayout {
  static final int HEADER = 8;
  static final int TTL_FLAG = 0x8000_0000;
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private EntryLayout() {}

  static byte[] newEntry(int hash, byte[] key, byte[] value, long expireAt) {
    int at = expireAt != 0 ? HEADER + 8 : HEADER;
    byte[] e = new byte[at + key.length + value.length];
    putInt(e, 0, hash);
    putInt(e, 4, expireAt != 0 ? key.length | TTL_FLAG : key.length);
    if (expireAt != 0) {
      LONG_BE.set(e, HEADER, expireAt);
    }
    System.arraycopy(key, 0, e, at, key.length);
    System.arraycopy(value, 0, e, at + key.length, value.length);
    return e;
  }

  static void putInt(byte[] b, int at, int v) {
    INT_BE.set(b, at, v);
  }

  static int getInt(byte[] b, int at) {
    return (int) INT_BE.get(b, at); // one load, not four
  }

  static int keyLength(byte[] entry) {
    return getInt(entry, 4) & ~TTL_FLAG;
  }

  static boolean hasTtl(byte[] entry) {
    return (getInt(entry, 4) & TTL_FLAG) != 0;
  }

  /** Where the key starts: after the header and, for a key with a TTL, its expiry. */
  static int keyStart(byte[] entry) {
    return hasTtl(entry) ? HEADER + 8 : HEADER;
  }

  /** The entry's expiry in Unix milliseconds, 0 for none. */
  static long expireAt(byte[] entry) {
    return hasTtl(entry) ? (long) LONG_BE.get(entry, HEADER) : 0;
  }

  /** Whether an expiry of {@code expireAt} has passed at {@code now} (Redis: now > expireAt). */
  static boolean expired(long expireAt, long now) {
    return expireAt != 0 && expireAt < now;
  }

  static boolean expired(byte[] entry, long now) {
    return hasTtl(entry) && (long) LONG_BE.get(entry, HEADER) < now;
  }

  static byte[] keyOf(byte[] entry) {
    int from = keyStart(entry);
    return Arrays.copyOfRange(entry, from, from + keyLength(entry));
  }

  static byte[] valueOf(byte[] entry) {
    return Arrays.copyOfRange(entry, keyStart(entry) + keyLength(entry), entry.length);
  }

  static int valueLength(byte[] entry) {
    return entry.length - keyStart(entry) - keyLength(entry);
  }

  /** Whether {@code entry} holds {@code key}; false (never an exception) for torn racy reads. */
  static boolean matches(byte[] entry, int hash, byte[] key) {
    if (entry.length < HEADER || getInt(entry, 0) != hash) {
      return false;
    }
    int field = getInt(entry, 4);
    int n = field & ~TTL_FLAG;
    int from = (field & TTL_FLAG) != 0 ? HEADER + 8 : HEADER;
    return n == key.length
        && from + n <= entry.length
        && Arrays.equals(entry, from, from + n, key, 0, n);
  }

  /** An entry's array (16-byte header, 8-byte aligned) plus its share of the slot array. */
  static long cost(int entryLength) {
    return ((16L + entryLength + 7) & ~7L) + 8;
  }
}
