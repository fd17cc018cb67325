package io.kvdb.core;

/**
 * Decides, from a key's current value, what to write and what to return; used by {@link
 * KvStore#compute}.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface KeyFunction<R> {
  /**
   * @param current a copy of the current value, or null when the key is absent
   * @return the decision: what to write (if anything) and the result to hand back
   */
  Decision<R> apply(byte[] current);

  /**
   * What {@link KeyFunction} decided.
   *
   * @param action whether to keep, overwrite or delete the key
   * @param newValue the value to store when {@code action} is {@link Action#PUT}
   * @param result what {@link KvStore#compute} completes with
   */
  record Decision<R>(Action action, byte[] newValue, R result) {
    public Decision {
      if (action == null) {
        throw new NullPointerException("action must not be null");
      }
      if (action == Action.PUT && newValue == null) {
        throw new NullPointerException("newValue must not be null for PUT");
      }
    }

    /** Leave the key as it is. */
    public static <R> Decision<R> keep(R result) {
      return new Decision<>(Action.KEEP, null, result);
    }

    /** Store {@code value}; the store takes ownership of the array. */
    public static <R> Decision<R> put(byte[] value, R result) {
      return new Decision<>(Action.PUT, value, result);
    }

    /** Remove the key. */
    public static <R> Decision<R> delete(R result) {
      return new Decision<>(Action.DELETE, null, result);
    }
  }

  /** The write a {@link Decision} asks for. */
  enum Action {
    KEEP,
    PUT,
    DELETE
  }
}
