package io.kvdb.server.stats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Redis' latency monitor: for each event, the spikes at or above {@code latency-monitor-threshold}
 * milliseconds, at most one sample per second (the second's worst) and the last 160 of them, plus
 * the worst ever. Events: {@code command} and {@code fast-command} (a handler that took that long),
 * {@code wal-fsync} (an fsync of the log, sampled once a second). A threshold of 0 (the default, as
 * in Redis) records nothing. Thread-safe.
 */
public final class LatencyMonitor {
  static final int SAMPLES = 160;

  /** One sample: the Unix second and the worst milliseconds in it. */
  /** One spike: when (Unix seconds) and how long. */
  public record Sample(long unixSeconds, long millis) {}

  /** An event's latest spike and its worst. */
  public record Latest(String event, long unixSeconds, long millis, long maxMillis) {}

  private static final class Event {
    final ArrayDeque<Sample> samples = new ArrayDeque<>();
    long max;
  }

  private final Map<String, Event> events = new TreeMap<>();
  private volatile long thresholdMillis;

  public LatencyMonitor(long thresholdMillis) {
    this.thresholdMillis = thresholdMillis;
  }

  public long thresholdMillis() {
    return thresholdMillis;
  }

  public void thresholdMillis(long ms) {
    thresholdMillis = ms;
  }

  /**
   * Considers a latency of {@code millis} for {@code event}; one volatile read below the threshold.
   */
  public void record(String event, long millis) {
    long t = thresholdMillis;
    if (t <= 0 || millis < t) {
      return;
    }
    add(event, millis);
  }

  private synchronized void add(String event, long millis) {
    long now = System.currentTimeMillis() / 1000;
    Event e = events.computeIfAbsent(event, k -> new Event());
    Sample last = e.samples.peekLast();
    if (last != null && last.unixSeconds() == now) {
      if (millis > last.millis()) {
        e.samples.pollLast();
        e.samples.addLast(new Sample(now, millis));
      }
    } else {
      e.samples.addLast(new Sample(now, millis));
      if (e.samples.size() > SAMPLES) {
        e.samples.pollFirst();
      }
    }
    e.max = Math.max(e.max, millis);
  }

  /** LATENCY LATEST: per event, its latest sample and its worst. */
  public synchronized List<Latest> latest() {
    List<Latest> out = new ArrayList<>();
    events.forEach(
        (name, e) -> {
          Sample last = e.samples.peekLast();
          if (last != null) {
            out.add(new Latest(name, last.unixSeconds(), last.millis(), e.max));
          }
        });
    return out;
  }

  /** LATENCY HISTORY event: its samples, oldest first. */
  public synchronized List<Sample> history(String event) {
    Event e = events.get(event);
    return e == null ? List.of() : new ArrayList<>(e.samples);
  }

  /** LATENCY RESET [event ...]: forgets them (all when none named); returns how many it forgot. */
  public synchronized int reset(List<String> names) {
    if (names.isEmpty()) {
      int n = events.size();
      events.clear();
      return n;
    }
    int n = 0;
    for (String name : names) {
      n += events.remove(name) != null ? 1 : 0;
    }
    return n;
  }
}
