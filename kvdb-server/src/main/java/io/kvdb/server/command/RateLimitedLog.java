package io.kvdb.server.command;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One kind of per-connection warning, said at most once per interval: a flood of clients (refused,
 * cut off, reset) must not flood the log. The line that is let through says how many like it were
 * held back since the last one. Thread-safe, lock-free: the event loops share one per kind.
 */
public final class RateLimitedLog {
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong heldBack = new AtomicLong();

  public RateLimitedLog(long interval, TimeUnit unit) {
    this.intervalNanos = unit.toNanos(interval);
  }

  /**
   * Runs {@code line} with the number of lines held back since the last one it ran, if the interval
   * has passed; otherwise counts this one as held back.
   */
  public void log(LongConsumer line) {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next == Long.MIN_VALUE || now - next >= 0)
        && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      line.accept(heldBack.getAndSet(0));
    } else {
      heldBack.incrementAndGet();
    }
  }
}
