package io.kvdb.core.internal;

import io.kvdb.core.ScanPage;
import io.kvdb.core.Ttl;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Reads: a key, its TTL, several keys together, the count, a scan page, a random key — each hiding
 * keys whose expiry has passed on the store's clock.
 *
 * <p>A single-key read takes an optimistic stamp, probes, copies the value and validates; only when
 * a writer raced it does it read again under the read lock. A validated read is linearizable. A
 * read that meets an expired key asks {@link KeyWrites#reclaim} to remove it (Redis deletes on
 * access too); the check that sends it there is a racy hint, reclaim decides under the write lock.
 * Arguments arrive checked. Thread-safe.
 */
final class KeyReads {
  private final Shards shards;
  private final Clock clock;
  private final KeyScan scanner;
  private final KeyWrites writes;

  KeyReads(Shards shards, Clock clock, KeyWrites writes) {
    this.shards = shards;
    this.clock = clock;
    this.scanner = new KeyScan(shards);
    this.writes = writes;
  }

  /**
   * The clock, read only when the shard holds a key with a TTL (0 otherwise: nothing can have
   * expired). Read inside the stamp's window: a TTL entry written meanwhile fails the validation,
   * and the retry under the lock reads the clock. Most reads of a cache-less dataset then take no
   * clock read at all (docs/benchmarks.md).
   */
  private long nowIfAnyTtl(Shards.Shard s) {
    return s.map.volatileCount() > 0 ? clock.millis() : 0;
  }

  /** See {@code KvStore.get(byte[], ByteBuffer)}: the same protocol as {@link #get(byte[])}. */
  int get(byte[] key, ByteBuffer into) {
    if (into.isReadOnly()) { // into == null throws here too
      throw new ReadOnlyBufferException();
    }
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    int at = into.position();
    int room = into.remaining();
    int n = -1;
    long stamp = s.lock.tryOptimisticRead();
    boolean valid = false;
    if (stamp != 0) {
      n = s.map.copyValue(key, h, nowIfAnyTtl(s), into, at, room);
      valid = s.lock.validate(stamp);
    }
    if (!valid) {
      stamp = s.lock.readLock();
      try {
        n = s.map.copyValue(key, h, nowIfAnyTtl(s), into, at, room);
      } finally {
        s.lock.unlockRead(stamp);
      }
    }
    if (n < 0 && s.map.volatileCount() > 0 && s.map.find(key, h) != null) {
      writes.reclaim(key); // present but expired
    }
    if (n >= 0 && n <= room) {
      into.position(at + n);
    }
    return n;
  }

  byte[] get(byte[] key) {
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    byte[] v = null;
    long stamp = s.lock.tryOptimisticRead();
    boolean valid = false;
    if (stamp != 0) {
      v = s.map.getValue(key, h, nowIfAnyTtl(s));
      valid = s.lock.validate(stamp);
    }
    if (!valid) {
      stamp = s.lock.readLock();
      try {
        v = s.map.getValue(key, h, nowIfAnyTtl(s));
      } finally {
        s.lock.unlockRead(stamp);
      }
    }
    if (v == null && s.map.volatileCount() > 0 && s.map.find(key, h) != null) {
      writes.reclaim(key); // present but expired
    }
    return v;
  }

  Ttl ttl(byte[] key) {
    int h = KeyHash.hash(key);
    Shards.Shard s = shards.of(h);
    long stamp = s.lock.readLock();
    try {
      long now = clock.millis();
      byte[] e = s.map.find(key, h);
      if (e == null || EntryLayout.expired(e, now)) {
        return Ttl.noKey(now);
      }
      return new Ttl(true, EntryLayout.expireAt(e), now);
    } finally {
      s.lock.unlockRead(stamp);
    }
  }

  /** Isolated: the values all existed together at one instant ({@link Shards#readIsolated}). */
  List<byte[]> getAll(byte[][] keys) {
    int[] hashes = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      hashes[i] = KeyHash.hash(keys[i]);
    }
    return Arrays.asList(shards.readIsolated(keys, hashes, clock.millis()));
  }

  long size() {
    return shards.size(clock.millis());
  }

  ScanPage scan(long cursor, int count) {
    return scanner.scan(cursor, count, clock.millis(), false);
  }

  byte[] randomKey() {
    return scanner.randomKey(clock.millis(), false);
  }
}
