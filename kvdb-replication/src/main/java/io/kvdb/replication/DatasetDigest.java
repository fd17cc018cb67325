package io.kvdb.replication;

import io.kvdb.core.spi.StoreState;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A digest of a whole dataset, equal on equal data whatever the order keys are stored in: the XOR,
 * over all entries not expired, of SHA-1(keyLength | key | value | expireAt). Like Redis' {@code
 * DEBUG DIGEST} it is 40 hex digits, all zeros for an empty dataset. Operators and tests compare a
 * master's and its replicas' digests at quiescence.
 */
public final class DatasetDigest {
  private DatasetDigest() {}

  /**
   * The digest of what {@code state}'s walk visits (each live entry exactly once), leaving out keys
   * whose expiry has passed on this machine's clock: a replica keeps such a key until its master's
   * delete arrives, but no reader sees it, so it is not part of the data being compared.
   */
  public static String of(StoreState state) {
    long now = System.currentTimeMillis();
    byte[] acc = new byte[20];
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    state.snapshot(
        (key, value, expireAt) -> {
          if (expireAt != 0 && expireAt < now) {
            return;
          }
          sha1.reset();
          sha1.update(
              new byte[] {
                (byte) (key.length >>> 24),
                (byte) (key.length >>> 16),
                (byte) (key.length >>> 8),
                (byte) key.length
              });
          sha1.update(key);
          sha1.update(value);
          for (int i = 56; i >= 0; i -= 8) {
            sha1.update((byte) (expireAt >>> i));
          }
          byte[] d = sha1.digest();
          for (int i = 0; i < 20; i++) {
            acc[i] ^= d[i];
          }
        });
    StringBuilder hex = new StringBuilder(40);
    for (byte b : acc) {
      hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return hex.toString();
  }
}
