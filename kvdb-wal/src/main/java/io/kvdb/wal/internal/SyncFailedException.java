package io.kvdb.wal.internal;

import java.io.IOException;

/**
 * An fsync (or a seal's) failed: final for the log, unlike a failed write, which is retried. The
 * kernel may have dropped the dirty pages already, so no later fsync can vouch for them.
 */
final class SyncFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  private SyncFailedException(IOException cause) {
    super("fsync failed: " + cause.getMessage(), cause);
  }

  static SyncFailedException of(IOException e) {
    return e instanceof SyncFailedException s ? s : new SyncFailedException(e);
  }
}
