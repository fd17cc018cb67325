package io.kvdb.server.command;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Per-command and per-error counters, for INFO commandstats, errorstats and latencystats, as Redis
 * 7 keeps them: a command's {@code calls} and {@code usec} count every run of its handler (inside
 * EXEC too), {@code failed_calls} the runs that answered an error, {@code rejected_calls} the times
 * it was refused before running (arity, NOAUTH, READONLY, inside MULTI). The time is the handler's
 * own, as Redis measures it: a durable write's wait for its fsync is not in it (the WAL's fsync
 * latency is reported on its own). Latency percentiles come from an HdrHistogram per command (2
 * significant digits, 1 ns to 100 s). Errors are counted by their first word (ERR, WRONGTYPE, ...)
 * whether refused or failed. Thread-safe; counters are striped (LongAdder) so event loops do not
 * contend on them.
 */
public final class CommandStats {
  /** One command's counters. */
  public static final class Entry {
    final LongAdder calls = new LongAdder();
    final LongAdder nanos = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final Histogram latency = new ConcurrentHistogram(1, 100_000_000_000L, 2);

    public long calls() {
      return calls.sum();
    }

    public long micros() {
      return nanos.sum() / 1000;
    }

    public long failed() {
      return failed.sum();
    }

    public long rejected() {
      return rejected.sum();
    }

    /** The latency at {@code percentile} (0-100) in microseconds. */
    public double percentileMicros(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A copy of the latency histogram, in nanoseconds. */
    public Histogram latencyNanos() {
      return latency.copy();
    }

    void reset() {
      calls.reset();
      nanos.reset();
      failed.reset();
      rejected.reset();
      latency.reset();
    }
  }

  private final Map<String, Entry> byCommand = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byError = new ConcurrentHashMap<>();
  private final LongAdder errors = new LongAdder();

  Entry of(CommandSpec spec) {
    return byCommand.computeIfAbsent(spec.name(), k -> new Entry());
  }

  void ran(CommandSpec spec, long nanos, Reply reply) {
    Entry e = of(spec);
    e.calls.increment();
    e.nanos.add(nanos);
    e.latency.recordValue(Math.max(1, Math.min(nanos, 100_000_000_000L)));
    if (reply instanceof Reply.Error err) {
      e.failed.increment();
      error(err.message());
    }
  }

  void rejected(CommandSpec spec, String error) {
    if (spec != null) {
      of(spec).rejected.increment();
    }
    error(error);
  }

  /** Counts an error reply by its first word. */
  public void error(String message) {
    errors.increment();
    int space = message.indexOf(' ');
    String code = space < 0 ? message : message.substring(0, space);
    byError.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  /** Every error reply counted (Redis' total_error_replies). */
  public long errorReplies() {
    return errors.sum();
  }

  /** The commands that ran or were refused at least once, by name. */
  public Map<String, Entry> commands() {
    Map<String, Entry> out = new TreeMap<>();
    byCommand.forEach(
        (name, e) -> {
          if (e.calls() > 0 || e.rejected() > 0) {
            out.put(name, e);
          }
        });
    return out;
  }

  /** Error counts by their first word. */
  public Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    byError.forEach((code, n) -> out.put(code, n.sum()));
    return out;
  }

  /** CONFIG RESETSTAT. */
  public void reset() {
    byCommand.values().forEach(Entry::reset);
    byError.clear();
    errors.reset();
  }

  static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
