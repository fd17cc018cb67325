package io.kvdb.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * Seeded MurmurHash3 (x86, 32-bit) over key bytes. The seed is random per process so that a client
 * cannot choose keys that all land in one shard or one probe chain (hash flooding). The top bits
 * pick the shard and the low bits the slot, so the two choices stay independent.
 */
final class KeyHash {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int SEED = new SecureRandom().nextInt();

  private KeyHash() {}

  static int hash(byte[] key) {
    return hash(key, 0, key.length, SEED);
  }

  static int hash(byte[] data, int off, int len, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int end = off + (len & ~3);
    for (int i = off; i < end; i += 4) {
      int k = (int) INT_LE.get(data, i);
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (len & 3) {
      case 3:
        k = (data[end + 2] & 0xff) << 16;
      // fall through
      case 2:
        k |= (data[end + 1] & 0xff) << 8;
      // fall through
      case 1:
        k |= data[end] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
      // fall through
      default:
        break;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
