package io.kvdb.server.stats;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters INFO stats reports. Thread-safe. */
public final class ServerStats {
  public final LongAdder connectionsReceived = new LongAdder();
  public final LongAdder connectionsRejected = new LongAdder();
  public final LongAdder commandsProcessed = new LongAdder();
  public final LongAdder keyspaceHits = new LongAdder();
  public final LongAdder keyspaceMisses = new LongAdder();
  public final LongAdder protocolErrors = new LongAdder();
  public final LongAdder outputBufferDisconnects = new LongAdder();

  /** Times a connection stopped reading: the log or its own pending replies were over the limit. */
  public final LongAdder readPauses = new LongAdder();

  /** Bytes read from and written to client sockets. */
  public final LongAdder netInputBytes = new LongAdder();

  public final LongAdder netOutputBytes = new LongAdder();

  // Instantaneous rates, as Redis: samples every 100 ms, the mean of the last 16.
  private static final int SAMPLES = 16;
  private final long[][] samples = new long[3][SAMPLES];
  private final long[] last = new long[3];
  private long lastNanos;
  private int sampleIndex;
  private volatile long peakHeap;

  /** Takes one sample of the rates (every 100 ms, from one thread). */
  public void sample(LongSupplier maxFsyncNanos, LatencyMonitor latency) {
    sample();
    if (++ticks % 10 == 0) { // once a second, as Redis' latency samples
      long ns = maxFsyncNanos.getAsLong();
      if (ns > 0) {
        latency.record("wal-fsync", ns / 1_000_000);
      }
    }
  }

  private int ticks;

  /** Takes one sample of the rates. */
  public synchronized void sample() {
    long now = System.nanoTime();
    long[] current = {commandsProcessed.sum(), netInputBytes.sum(), netOutputBytes.sum()};
    if (lastNanos != 0) {
      double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
      for (int k = 0; k < 3; k++) {
        samples[k][sampleIndex] = (long) ((current[k] - last[k]) / seconds);
      }
      sampleIndex = (sampleIndex + 1) % SAMPLES;
    }
    System.arraycopy(current, 0, last, 0, 3);
    lastNanos = now;
    Runtime rt = Runtime.getRuntime();
    long used = rt.totalMemory() - rt.freeMemory();
    if (used > peakHeap) {
      peakHeap = used;
    }
  }

  private synchronized double mean(int k) {
    long sum = 0;
    for (long v : samples[k]) {
      sum += v;
    }
    return (double) sum / SAMPLES;
  }

  public long instantaneousOpsPerSec() {
    return Math.round(mean(0));
  }

  public double instantaneousInputKbps() {
    return mean(1) / 1024;
  }

  public double instantaneousOutputKbps() {
    return mean(2) / 1024;
  }

  /** The largest heap use seen by the sampler. */
  public long peakHeap() {
    return peakHeap;
  }

  /** CONFIG RESETSTAT: the counters Redis resets. */
  public void reset() {
    connectionsReceived.reset();
    connectionsRejected.reset();
    commandsProcessed.reset();
    keyspaceHits.reset();
    keyspaceMisses.reset();
    protocolErrors.reset();
    outputBufferDisconnects.reset();
    readPauses.reset();
    netInputBytes.reset();
    netOutputBytes.reset();
    synchronized (this) {
      lastNanos = 0;
      for (long[] row : samples) {
        Arrays.fill(row, 0);
      }
    }
  }
}
