package io.kvdb.core;

/** Thrown when a key or value exceeds a configured limit; nothing was written or logged. */
public class LimitExceededException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long actual;
  private final long max;

  public LimitExceededException(String limit, long actual, long max) {
    super(limit + " exceeded: " + actual + " bytes > " + max + " bytes");
    this.limit = limit;
    this.actual = actual;
    this.max = max;
  }

  /** The name of the limit, such as {@code maxKeySize}. */
  public String limit() {
    return limit;
  }

  public long actual() {
    return actual;
  }

  public long max() {
    return max;
  }
}
