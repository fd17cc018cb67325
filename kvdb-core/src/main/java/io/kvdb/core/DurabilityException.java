package io.kvdb.core;

/**
 * The write-ahead log could not make a write durable. The write may already be visible in memory;
 * after this the log refuses further writes (reads go on), because retrying a failed fsync and
 * reporting success could acknowledge data the kernel already dropped.
 */
public class DurabilityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DurabilityException(String message, Throwable cause) {
    super(message, cause);
  }
}
