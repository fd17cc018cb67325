package io.kvdb.core.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock a test moves by hand, in milliseconds. Thread-safe. */
public final class ManualClock extends Clock {
  private final AtomicLong millis;
  private final AtomicLong reads = new AtomicLong();

  /** How many times the clock was read. */
  public long reads() {
    return reads.get();
  }

  public ManualClock(long startMillis) {
    this.millis = new AtomicLong(startMillis);
  }

  public void advance(long ms) {
    millis.addAndGet(ms);
  }

  public void set(long ms) {
    millis.set(ms);
  }

  @Override
  public long millis() {
    reads.incrementAndGet();
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
