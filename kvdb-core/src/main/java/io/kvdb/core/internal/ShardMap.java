package io.kvdb.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The hash table of one shard: open addressing with linear probing, everything about an entry
 * packed into one array.
 *
 * <h2>Format</h2>
 *
 * Each entry is one {@code byte[]}: the key's 4-byte hash, a 4-byte key length, the key, then the
 * value (all big-endian). One array per entry, instead of a node, a key wrapper, a key array and a
 * value array, keeps a 16-byte key with a 100-byte value near 150 bytes of heap; keeping the hash
 * in the entry (not in a parallel {@code int[]}) saves a cache miss per lookup, which is most of
 * the cost of a read. Removed entries leave a tombstone, so entries move only when the table is
 * rebuilt; each rebuild bumps {@link #epoch()}, which lets a scan cursor notice and restart the
 * shard rather than miss keys.
 *
 * <h2>Concurrency</h2>
 *
 * Not thread-safe by itself. Writers hold the shard's write lock. Readers may call {@link
 * #getValue} without a lock under a {@link java.util.concurrent.locks.StampedLock} optimistic
 * stamp: the slot array is read through one field and every index is bounds-checked, so a racing
 * read returns garbage at worst (it never throws or loops), and the caller discards it when the
 * stamp fails to validate. An entry's hash and key never change, but {@link #putValue} overwrites a
 * same-length value in place under the write lock, so anyone who reads an entry outside the lock
 * (the snapshot walk) must validate a stamp too.
 */
final class ShardMap {
  private static final byte[] TOMBSTONE = new byte[0];
  private static final int MIN_CAPACITY = 16;
  private static final int HEADER = 8;
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private byte[][] slots = new byte[MIN_CAPACITY][];
  private int used; // live entries + tombstones
  private volatile int size;
  private volatile long bytes; // estimated heap taken by the entries, for the memory limit
  private int epoch;

  static byte[] newEntry(int hash, byte[] key, byte[] value) {
    byte[] e = new byte[HEADER + key.length + value.length];
    putInt(e, 0, hash);
    putInt(e, 4, key.length);
    System.arraycopy(key, 0, e, HEADER, key.length);
    System.arraycopy(value, 0, e, HEADER + key.length, value.length);
    return e;
  }

  private static void putInt(byte[] b, int at, int v) {
    INT_BE.set(b, at, v);
  }

  private static int getInt(byte[] b, int at) {
    return (int) INT_BE.get(b, at); // one load, not four
  }

  static int keyLength(byte[] entry) {
    return getInt(entry, 4);
  }

  static byte[] keyOf(byte[] entry) {
    return Arrays.copyOfRange(entry, HEADER, HEADER + keyLength(entry));
  }

  static byte[] valueOf(byte[] entry) {
    return Arrays.copyOfRange(entry, HEADER + keyLength(entry), entry.length);
  }

  /** Whether {@code entry} holds {@code key}; false (never an exception) for torn racy reads. */
  private static boolean matches(byte[] entry, int hash, byte[] key) {
    if (entry.length < HEADER || getInt(entry, 0) != hash) {
      return false;
    }
    int n = getInt(entry, 4);
    return n == key.length
        && HEADER + n <= entry.length
        && Arrays.equals(entry, HEADER, HEADER + n, key, 0, n);
  }

  int size() {
    return size;
  }

  int epoch() {
    return epoch;
  }

  /** A copy of the value of {@code key}, or null. Safe to call racily; see the class note. */
  byte[] getValue(byte[] key, int hash) {
    byte[] e = find(key, hash);
    if (e == null) {
      return null;
    }
    int from = HEADER + key.length;
    return from <= e.length ? Arrays.copyOfRange(e, from, e.length) : null;
  }

  /** The entry of {@code key}, or null. */
  byte[] find(byte[] key, int hash) {
    byte[][] s = slots;
    int mask = s.length - 1;
    for (int i = hash & mask, probes = 0; probes < s.length; i = (i + 1) & mask, probes++) {
      byte[] e = s[i];
      if (e == null) {
        return null;
      }
      if (matches(e, hash, key)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Stores {@code value} for {@code key}. An existing entry whose value has the same length is
   * overwritten in place (no allocation, no garbage); racing optimistic readers fail their stamp
   * validation because the caller holds the write lock. Otherwise a new entry is made.
   *
   * @return true when the key was new
   */
  boolean putValue(byte[] key, int hash, byte[] value) {
    byte[] e = find(key, hash);
    if (e != null && e.length == HEADER + key.length + value.length) {
      System.arraycopy(value, 0, e, HEADER + key.length, value.length);
      return false;
    }
    byte[] fresh = newEntry(hash, key, value);
    byte[] old = put(key, hash, fresh);
    bytes += cost(fresh.length) - (old == null ? 0 : cost(old.length));
    return old == null;
  }

  /** How many bytes {@link #putValue} would add (negative or zero when it would not grow). */
  long growth(byte[] key, int hash, int valueLength) {
    byte[] e = find(key, hash);
    long next = cost(HEADER + key.length + valueLength);
    return e == null ? next : next - cost(e.length);
  }

  /** Estimated heap of the entries: arrays with headers and padding, plus their slot. */
  long bytes() {
    return bytes;
  }

  /** An entry's array (16-byte header, 8-byte aligned) plus its share of the slot array. */
  static long cost(int entryLength) {
    return ((16L + entryLength + 7) & ~7L) + 8;
  }

  /** Stores {@code entry} for {@code key}; returns the entry it replaced, or null. */
  byte[] put(byte[] key, int hash, byte[] entry) {
    if (used + 1 > (slots.length >> 2) * 3) {
      rebuild();
    }
    byte[][] s = slots;
    int mask = s.length - 1;
    int free = -1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      byte[] e = s[i];
      if (e == null) {
        if (free < 0) {
          free = i;
          used++;
        }
        s[free] = entry;
        size++;
        return null;
      }
      if (e == TOMBSTONE) {
        if (free < 0) {
          free = i;
        }
      } else if (matches(e, hash, key)) {
        s[i] = entry;
        return e;
      }
    }
  }

  /** Removes {@code key}; returns the removed entry, or null. */
  byte[] remove(byte[] key, int hash) {
    byte[][] s = slots;
    int mask = s.length - 1;
    for (int i = hash & mask, probes = 0; probes < s.length; i = (i + 1) & mask, probes++) {
      byte[] e = s[i];
      if (e == null) {
        return null;
      }
      if (e != TOMBSTONE && matches(e, hash, key)) {
        s[i] = TOMBSTONE;
        size--;
        bytes -= cost(e.length);
        return e;
      }
    }
    return null;
  }

  void clear() {
    slots = new byte[MIN_CAPACITY][];
    used = 0;
    size = 0;
    bytes = 0;
    epoch++;
  }

  /** A copy of the slot array, for iterating without holding the lock. */
  byte[][] entriesCopy() {
    return slots.clone();
  }

  static boolean isLive(byte[] slot) {
    return slot != null && slot != TOMBSTONE;
  }

  /**
   * Hands the keys in slots from {@code fromSlot} on to {@code sink} until at least {@code count}
   * keys were given or the table ends.
   *
   * @return the next slot to visit, or -1 at the end of the table
   */
  int scan(int fromSlot, int count, Consumer<byte[]> sink) {
    byte[][] s = slots;
    int given = 0;
    int i = fromSlot;
    for (; i < s.length && given < count; i++) {
      if (isLive(s[i])) {
        sink.accept(keyOf(s[i]));
        given++;
      }
    }
    return i < s.length ? i : -1;
  }

  /** Grows (or just clears out tombstones) so that the table is at most half full. */
  private void rebuild() {
    int live = size;
    int capacity = MIN_CAPACITY;
    while (capacity < (live + 1) * 2) {
      capacity <<= 1;
    }
    byte[][] old = slots;
    byte[][] fresh = new byte[capacity][];
    int mask = capacity - 1;
    for (byte[] e : old) {
      if (isLive(e)) {
        int i = getInt(e, 0) & mask;
        while (fresh[i] != null) {
          i = (i + 1) & mask;
        }
        fresh[i] = e;
      }
    }
    slots = fresh;
    used = live;
    epoch++;
  }
}
