package io.kvdb.core.spi;

/**
 * The write-ahead log failed earlier (a write or fsync error) and accepts no more records. Final
 * for that log: reads of the store go on, writes are refused until the process is restarted on a
 * healthy disk.
 */
public class LogFailedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public LogFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
