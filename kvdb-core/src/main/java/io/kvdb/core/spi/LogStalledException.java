package io.kvdb.core.spi;

/**
 * The write-ahead log cannot write for now (no space left on its device, a read-only file system)
 * and retries on its own: this write was refused and nothing of it was logged or applied. Unlike
 * {@link LogFailedException}'s other causes it is not final: writes are accepted again once a retry
 * succeeds, without a restart.
 */
public class LogStalledException extends LogFailedException {
  private static final long serialVersionUID = 1L;

  public LogStalledException(String message) {
    super(message, null);
  }
}
