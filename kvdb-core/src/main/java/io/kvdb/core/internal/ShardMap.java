package io.kvdb.core.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The hash table of one shard: open addressing with linear probing, everything about an entry
 * packed into one array.
 *
 * <h2>Format</h2>
 *
 * Each entry is one {@code byte[]} laid out by {@link EntryLayout}: hash, key length, optional
 * expiry, key, value.
 *
 * <h2>Expiry</h2>
 *
 * The map stores expiry times; it never decides on its own that a key is gone. Readers pass the
 * current time and an entry whose expiry is before it reads as absent ({@link
 * EntryLayout#expired}); only the owner's explicit {@link #remove} (the active expirer, a write
 * that finds the key expired) frees it. The map counts its entries with a TTL and keeps a lower
 * bound of their earliest expiry, so that the expirer and an exact {@code size} skip shards where
 * nothing can have expired.
 *
 * <h2>Tombstones</h2>
 *
 * Removed entries leave a tombstone, so entries move only when the table is rebuilt; each rebuild
 * bumps {@link #epoch()}, which lets a scan cursor notice and restart the shard rather than miss
 * keys.
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

  private byte[][] slots = new byte[MIN_CAPACITY][];
  private int used; // live entries + tombstones
  private volatile int size;
  private volatile long bytes; // estimated heap taken by the entries, for the memory limit
  private volatile int volatileCount; // live entries with a TTL
  private volatile long earliestExpiry = Long.MAX_VALUE; // lower bound over entries with a TTL
  private long passEarliest = Long.MAX_VALUE; // the expirer's running minimum (see lowerEarliest)
  private int epoch;

  int size() {
    return size;
  }

  int epoch() {
    return epoch;
  }

  int volatileCount() {
    return volatileCount;
  }

  long earliestExpiry() {
    return earliestExpiry;
  }

  /**
   * A copy of the value of {@code key}, or null when absent or expired at {@code now}. Safe to call
   * racily; see the class note.
   */
  byte[] getValue(byte[] key, int hash, long now) {
    byte[] e = find(key, hash);
    if (e == null) {
      return null;
    }
    int from = EntryLayout.keyStart(e) + key.length;
    if (from > e.length || EntryLayout.expired(e, now)) {
      return null;
    }
    return Arrays.copyOfRange(e, from, e.length);
  }

  /**
   * Copies the value of {@code key} into {@code into} at {@code at} (absolute: the caller moves the
   * position once its read validated) when it fits in {@code room} bytes. Safe to call racily: a
   * torn read copies garbage at worst, which the caller's failed validation discards.
   *
   * @return the value's length, or -1 when absent or expired at {@code now}
   */
  int copyValue(byte[] key, int hash, long now, ByteBuffer into, int at, int room) {
    byte[] e = find(key, hash);
    if (e == null) {
      return -1;
    }
    int from = EntryLayout.keyStart(e) + key.length;
    if (from > e.length || EntryLayout.expired(e, now)) {
      return -1;
    }
    int n = e.length - from;
    if (n <= room) {
      into.put(at, e, from, n);
    }
    return n;
  }

  /** The entry of {@code key} (expired or not), or null. */
  byte[] find(byte[] key, int hash) {
    byte[][] s = slots;
    int mask = s.length - 1;
    for (int i = hash & mask, probes = 0; probes < s.length; i = (i + 1) & mask, probes++) {
      byte[] e = s[i];
      if (e == null) {
        return null;
      }
      if (EntryLayout.matches(e, hash, key)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Stores {@code value} for {@code key} with an expiry ({@code expireAt}, 0 for none). An existing
   * entry of the same length and the same TTL-ness is overwritten in place (no allocation, no
   * garbage); racing optimistic readers fail their stamp validation because the caller holds the
   * write lock. Otherwise a new entry is made.
   *
   * @return true when the key was new
   */
  boolean putValue(byte[] key, int hash, byte[] value, long expireAt) {
    byte[] e = find(key, hash);
    int at = expireAt != 0 ? EntryLayout.HEADER + 8 : EntryLayout.HEADER;
    if (e != null
        && e.length == at + key.length + value.length
        && EntryLayout.hasTtl(e) == (expireAt != 0)) {
      System.arraycopy(value, 0, e, at + key.length, value.length);
      if (expireAt != 0) {
        EntryLayout.LONG_BE.set(e, EntryLayout.HEADER, expireAt);
        lowerEarliest(expireAt);
      }
      return false;
    }
    byte[] fresh = EntryLayout.newEntry(hash, key, value, expireAt);
    byte[] old = put(key, hash, fresh);
    return old == null;
  }

  /**
   * Changes the expiry of an existing entry ({@code expireAt} 0 removes it); in place when the
   * entry already has one and keeps one.
   *
   * @return false when the key is absent
   */
  boolean setExpiry(byte[] key, int hash, long expireAt) {
    byte[] e = find(key, hash);
    if (e == null) {
      return false;
    }
    if (EntryLayout.hasTtl(e) && expireAt != 0) {
      EntryLayout.LONG_BE.set(e, EntryLayout.HEADER, expireAt);
      lowerEarliest(expireAt);
      return true;
    }
    if (!EntryLayout.hasTtl(e) && expireAt == 0) {
      return true;
    }
    put(key, hash, EntryLayout.newEntry(hash, key, EntryLayout.valueOf(e), expireAt));
    return true;
  }

  /** How many bytes {@link #putValue} would add (negative or zero when it would not grow). */
  long growth(byte[] key, int hash, int valueLength, boolean withTtl) {
    byte[] e = find(key, hash);
    long next =
        EntryLayout.cost(
            (withTtl ? EntryLayout.HEADER + 8 : EntryLayout.HEADER) + key.length + valueLength);
    return e == null ? next : next - EntryLayout.cost(e.length);
  }

  /** Estimated heap of the entries: arrays with headers and padding, plus their slot. */
  long bytes() {
    return bytes;
  }

  private void lowerEarliest(long expireAt) {
    if (expireAt < earliestExpiry) {
      earliestExpiry = expireAt;
    }
    if (expireAt < passEarliest) {
      passEarliest = expireAt;
    }
  }

  /** Bookkeeping for an entry coming in ({@code in}) in place of another ({@code out}). */
  private void account(byte[] in, byte[] out) {
    long delta = 0;
    int ttl = 0;
    if (in != null) {
      delta += EntryLayout.cost(in.length);
      if (EntryLayout.hasTtl(in)) {
        ttl++;
        lowerEarliest(EntryLayout.expireAt(in));
      }
    }
    if (out != null) {
      delta -= EntryLayout.cost(out.length);
      ttl -= EntryLayout.hasTtl(out) ? 1 : 0;
    }
    bytes += delta;
    if (ttl != 0) {
      volatileCount += ttl;
    }
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
        account(entry, null);
        return null;
      }
      if (e == TOMBSTONE) {
        if (free < 0) {
          free = i;
        }
      } else if (EntryLayout.matches(e, hash, key)) {
        s[i] = entry;
        account(entry, e);
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
      if (e != TOMBSTONE && EntryLayout.matches(e, hash, key)) {
        s[i] = TOMBSTONE;
        size--;
        account(null, e);
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
    volatileCount = 0;
    earliestExpiry = Long.MAX_VALUE;
    passEarliest = Long.MAX_VALUE;
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
   * Hands the keys in slots from {@code fromSlot} on that have not expired at {@code now} to {@code
   * sink} until at least {@code count} keys were given or the table ends.
   *
   * @return the next slot to visit, or -1 at the end of the table
   */
  int scan(int fromSlot, int count, long now, Consumer<byte[]> sink) {
    byte[][] s = slots;
    int given = 0;
    int i = fromSlot;
    for (; i < s.length && given < count; i++) {
      if (isLive(s[i]) && !EntryLayout.expired(s[i], now)) {
        sink.accept(EntryLayout.keyOf(s[i]));
        given++;
      }
    }
    return i < s.length ? i : -1;
  }

  /** The number of entries expired at {@code now}; the caller holds a lock. */
  int countExpired(long now) {
    if (volatileCount == 0 || earliestExpiry >= now) {
      return 0;
    }
    int n = 0;
    for (byte[] e : slots) {
      if (isLive(e) && EntryLayout.expired(e, now)) {
        n++;
      }
    }
    return n;
  }

  /**
   * One step of the expirer: looks at up to {@code maxSlots} slots from {@code fromSlot}, hands the
   * keys expired at {@code now} to {@code expiredKeys} (the caller removes them) and, when the step
   * ends the table, makes the earliest-expiry bound exact again. The caller holds the write lock.
   *
   * @return the next slot, or -1 when the table ended
   */
  int sweep(int fromSlot, int maxSlots, long now, Consumer<byte[]> expiredKeys) {
    if (fromSlot == 0) {
      passEarliest = Long.MAX_VALUE;
    }
    byte[][] s = slots;
    int end = (int) Math.min(s.length, (long) fromSlot + maxSlots);
    for (int i = fromSlot; i < end; i++) {
      byte[] e = s[i];
      if (isLive(e) && EntryLayout.hasTtl(e)) {
        long at = EntryLayout.expireAt(e);
        if (at < now) {
          expiredKeys.accept(EntryLayout.keyOf(e));
        } else if (at < passEarliest) {
          passEarliest = at;
        }
      }
    }
    if (end < s.length) {
      return end;
    }
    earliestExpiry = passEarliest; // every entry with a TTL was seen or lowered it since slot 0
    return -1;
  }

  /** A live entry at or after {@code fromSlot} (wrapping), not expired at {@code now}; or null. */
  byte[] liveEntryFrom(int fromSlot, long now) {
    byte[][] s = slots;
    for (int k = 0; k < s.length; k++) {
      byte[] e = s[(fromSlot + k) & (s.length - 1)];
      if (isLive(e) && !EntryLayout.expired(e, now)) {
        return e;
      }
    }
    return null;
  }

  int capacity() {
    return slots.length;
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
        int i = EntryLayout.getInt(e, 0) & mask;
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
