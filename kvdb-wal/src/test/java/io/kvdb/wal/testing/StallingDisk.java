package io.kvdb.wal.testing;

import io.kvdb.wal.WalFaults;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A disk whose fsync stalls once {@link #stall()} was called, until {@link #release()}: the writer
 * thread blocks in its next fsync, as on an overloaded or failing device. The wait is bounded (60
 * s), so a test that forgets to release still ends.
 */
public final class StallingDisk implements WalFaults {
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private final CountDownLatch stalled = new CountDownLatch(1);

  public void stall() {
    gate = new CountDownLatch(1);
  }

  public void release() {
    gate.countDown();
  }

  /** Waits until the writer is blocked in an fsync. */
  public boolean awaitStalled(long seconds) throws InterruptedException {
    return stalled.await(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void beforeSync(Path segment) {
    CountDownLatch g = gate;
    if (g.getCount() > 0) {
      stalled.countDown();
      try {
        g.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
