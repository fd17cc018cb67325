package io.kvdb.server.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Per-command and per-error counters, for INFO commandstats, errorstats and latencystats and the
 * Prometheus endpoint, as Redis 7 keeps them: a command's {@code calls} and {@code usec} count
 * every run of its handler (inside EXEC too), {@code failed_calls} the runs that answered an error,
 * {@code rejected_calls} the times it was refused before running (arity, NOAUTH, READONLY, inside
 * MULTI). The time is the handler's own, as Redis measures it (a durable write's wait for its fsync
 * is not in it). Errors are counted by their first word (ERR, WRONGTYPE, ...).
 *
 * <h2>Recording without atomics</h2>
 *
 * Every connection stays on one event loop, so each event-loop thread records into counters and
 * HdrHistograms of its own ({@link ThreadStats}, found once per connection): plain fields, no
 * atomic instruction, no shared cache line on the request path. Readers add up every thread's
 * figures; a figure read while its thread writes may be a moment old, never torn (64-bit fields).
 * CONFIG RESETSTAT bumps a generation: each thread clears its own figures at its next record, and
 * readers skip a thread whose figures are from an older generation. Thread-safe in that sense.
 */
public final class CommandStats<K> {
  private final Map<K, Integer> ordinals = new IdentityHashMap<>();
  private final List<String> names;
  private final List<ThreadStats> threads = new CopyOnWriteArrayList<>();
  private final ThreadLocal<ThreadStats> mine = new ThreadLocal<>();
  private final Map<String, LongAdder> byError = new ConcurrentHashMap<>();
  private final LongAdder errors = new LongAdder();
  private volatile long generation;

  /**
   * @param commands what is counted, by identity (the registry's specs)
   * @param name a command's name, for {@link #commands()}
   */
  public CommandStats(Collection<K> commands, Function<K, String> name) {
    List<String> n = new ArrayList<>();
    for (K c : commands) {
      ordinals.put(c, n.size());
      n.add(name.apply(c));
    }
    this.names = List.copyOf(n);
  }

  /** One command's figures on one thread: written by that thread only. */
  private static final class Local {
    long calls;
    long nanos;
    long failed;
    long rejected;
    final Histogram latency = new Histogram(1, 100_000_000_000L, 2);
  }

  /** One event-loop thread's figures. */
  public static final class ThreadStats {
    private final Local[] locals;
    private volatile long generation;

    ThreadStats(int commands, long generation) {
      this.locals = new Local[commands];
      this.generation = generation;
    }
  }

  /** The calling thread's figures (a connection asks once and keeps them). */
  public ThreadStats forCurrentThread() {
    ThreadStats t = mine.get();
    if (t == null) {
      t = new ThreadStats(names.size(), generation);
      mine.set(t);
      threads.add(t);
    }
    return t;
  }

  private Local local(ThreadStats t, K command) {
    long g = generation;
    if (t.generation != g) {
      Arrays.fill(t.locals, null); // CONFIG RESETSTAT happened: start from zero
      t.generation = g;
    }
    Integer i = ordinals.get(command);
    if (i == null) {
      return null; // a spec from another registry (tests): not counted
    }
    Local l = t.locals[i];
    if (l == null) {
      l = new Local();
      t.locals[i] = l;
    }
    return l;
  }

  /** {@code command} ran for {@code nanos}; {@code error} is its error reply, or null. */
  public void ran(ThreadStats t, K command, long nanos, String error) {
    Local l = local(t, command);
    if (l != null) {
      l.calls++;
      l.nanos += nanos;
      l.latency.recordValue(Math.max(1, Math.min(nanos, 100_000_000_000L)));
      if (error != null) {
        l.failed++;
      }
    }
    if (error != null) {
      error(error);
    }
  }

  public void rejected(ThreadStats t, K command, String error) {
    if (command != null) {
      Local l = local(t, command);
      if (l != null) {
        l.rejected++;
      }
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

  /** One command's figures, added up over the threads. */
  public record Entry(long calls, long nanos, long failed, long rejected, Histogram latency) {
    public long micros() {
      return nanos / 1000;
    }

    /** The latency at {@code percentile} (0-100) in microseconds. */
    public double percentileMicros(double percentile) {
      return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The latency histogram, in nanoseconds. */
    public Histogram latencyNanos() {
      return latency;
    }
  }

  /** The commands that ran or were refused at least once, by name. */
  public Map<String, Entry> commands() {
    long g = generation;
    Map<String, Entry> out = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      long calls = 0;
      long nanos = 0;
      long failed = 0;
      long rejected = 0;
      Histogram h = new Histogram(1, 100_000_000_000L, 2);
      for (ThreadStats t : threads) {
        Local l = t.generation == g ? t.locals[i] : null;
        if (l != null) {
          calls += l.calls;
          nanos += l.nanos;
          failed += l.failed;
          rejected += l.rejected;
          h.add(l.latency.copy());
        }
      }
      if (calls > 0 || rejected > 0) {
        out.put(names.get(i), new Entry(calls, nanos, failed, rejected, h));
      }
    }
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
    generation++;
    byError.clear();
    errors.reset();
  }

  public static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
