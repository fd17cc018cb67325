package io.kvdb.core;

/**
 * Decides, from a key's current value, what to write and what to return; used by {@link
 * KvStore#compute}. To see and change the key's expiry as well, use {@link EntryFunction} with
 * {@link KvStore#computeEntry}.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface KeyFunction<R> {
  /**
   * @param current a copy of the current value, or null when the key is absent (or expired)
   * @return the decision: what to write (if anything) and the result to hand back
   */
  Decision<R> apply(byte[] current);

  /**
   * What a {@link KeyFunction} or {@link EntryFunction} decided.
   *
   * @param action whether to keep, overwrite or delete the key, or only change its expiry
   * @param newValue the value to store when {@code action} is {@link Action#PUT}
   * @param expireAtMillis for {@link Action#PUT} and {@link Action#EXPIRE}: the absolute expiry in
   *     Unix milliseconds, 0 for none, or {@link #KEEP_TTL} (PUT only) to keep the key's current
   *     expiry. An expiry already in the past removes the key.
   * @param result what the compute call completes with
   */
  record Decision<R>(Action action, byte[] newValue, long expireAtMillis, R result) {
    /** For {@link #expireAtMillis}: a PUT keeps whatever expiry the key has. */
    public static final long KEEP_TTL = -1;

    public Decision {
      if (action == null) {
        throw new NullPointerException("action must not be null");
      }
      if (action == Action.PUT && newValue == null) {
        throw new NullPointerException("newValue must not be null for PUT");
      }
      if (expireAtMillis < 0 && !(action == Action.PUT && expireAtMillis == KEEP_TTL)) {
        throw new IllegalArgumentException(
            "expireAtMillis must be 0 (none), a Unix time in milliseconds, or KEEP_TTL for a PUT;"
                + " got "
                + expireAtMillis);
      }
    }

    /** Leave the key as it is. */
    public static <R> Decision<R> keep(R result) {
      return new Decision<>(Action.KEEP, null, 0, result);
    }

    /** Store {@code value} with no expiry (as Redis' SET does); the store owns the array. */
    public static <R> Decision<R> put(byte[] value, R result) {
      return new Decision<>(Action.PUT, value, 0, result);
    }

    /**
     * Store {@code value} expiring at {@code expireAtMillis} (0 for none, {@link #KEEP_TTL} to keep
     * the current expiry, as INCR and APPEND do).
     */
    public static <R> Decision<R> put(byte[] value, long expireAtMillis, R result) {
      return new Decision<>(Action.PUT, value, expireAtMillis, result);
    }

    /** Keep the value, set its expiry ({@code 0} makes the key persistent). */
    public static <R> Decision<R> expire(long expireAtMillis, R result) {
      return new Decision<>(Action.EXPIRE, null, expireAtMillis, result);
    }

    /** Remove the key. */
    public static <R> Decision<R> delete(R result) {
      return new Decision<>(Action.DELETE, null, 0, result);
    }
  }

  /** The write a {@link Decision} asks for. */
  enum Action {
    KEEP,
    PUT,
    DELETE,
    EXPIRE
  }
}
