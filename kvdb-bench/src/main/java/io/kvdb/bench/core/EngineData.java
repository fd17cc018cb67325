package io.kvdb.bench.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * The data every engine benchmark uses: 16-byte keys and 100-byte values, made deterministically.
 */
public final class EngineData {
  public static final int KEY_SIZE = 16;
  public static final int VALUE_SIZE = 100;

  private EngineData() {}

  /** {@code n} distinct 16-byte keys: "key:" and a 12-digit number. */
  public static byte[][] keys(int n) {
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
    }
    return keys;
  }

  /** A 100-byte value whose bytes depend on {@code seed}. */
  public static byte[] value(int seed) {
    byte[] v = new byte[VALUE_SIZE];
    new Random(seed).nextBytes(v);
    return v;
  }

  /** A copy of {@code base} whose first four bytes hold {@code i}: a distinct value per key. */
  public static byte[] distinctValue(byte[] base, int i) {
    byte[] v = base.clone();
    v[0] = (byte) (i >>> 24);
    v[1] = (byte) (i >>> 16);
    v[2] = (byte) (i >>> 8);
    v[3] = (byte) i;
    return v;
  }

  /**
   * How a program that embeds a raw {@code ConcurrentHashMap} keys it by {@code byte[]}: a wrapper
   * with content equality and a cached hash.
   */
  public static final class BytesKey {
    final byte[] bytes;
    final int hash;

    public BytesKey(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BytesKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
