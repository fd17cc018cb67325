package io.kvdb.server.stats;

import io.kvdb.server.connection.ConnectionState;
import io.kvdb.server.connection.Monitors;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The SLOWLOG: commands whose handler ran longer than {@code slowlog-log-slower-than} microseconds,
 * newest first, at most {@code slowlog-max-len} of them, each as Redis keeps it — id, Unix time,
 * duration in microseconds, the arguments (at most 32; each at most 128 bytes, the rest counted),
 * the client's address and name. The check is one volatile read per command; an entry is added
 * under this object's lock, which only slow commands take. Thread-safe.
 */
public final class SlowLog {
  static final int MAX_ARGS = 32;
  static final int MAX_ARG_LENGTH = 128;

  /** One entry. */
  public record Entry(
      long id, long unixSeconds, long micros, List<byte[]> args, String addr, String name) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private volatile long slowerThanMicros;
  private volatile int maxLen;
  private long nextId;

  public SlowLog(long slowerThanMicros, int maxLen) {
    this.slowerThanMicros = slowerThanMicros;
    this.maxLen = maxLen;
  }

  public long slowerThanMicros() {
    return slowerThanMicros;
  }

  public int maxLen() {
    return maxLen;
  }

  public void slowerThanMicros(long micros) {
    slowerThanMicros = micros;
  }

  public synchronized void maxLen(int len) {
    maxLen = len;
    trim();
  }

  /** Considers a command that took {@code nanos}. */
  public void consider(ConnectionState client, byte[][] argv, long nanos) {
    long threshold = slowerThanMicros;
    if (threshold < 0 || nanos / 1000 < threshold) {
      return;
    }
    add(client, argv, nanos / 1000);
  }

  private synchronized void add(ConnectionState client, byte[][] argv, long micros) {
    if (maxLen == 0) {
      return;
    }
    int n = Math.min(argv.length, MAX_ARGS);
    List<byte[]> args = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (n < argv.length && i == n - 1) {
        args.add(Monitors.utf8("... (" + (argv.length - MAX_ARGS + 1) + " more arguments)"));
        break;
      }
      byte[] a = argv[i];
      if (a.length > MAX_ARG_LENGTH) {
        byte[] cut = new byte[MAX_ARG_LENGTH];
        System.arraycopy(a, 0, cut, 0, MAX_ARG_LENGTH);
        byte[] tail = Monitors.utf8("... (" + (a.length - MAX_ARG_LENGTH) + " more bytes)");
        byte[] both = Arrays.copyOf(cut, cut.length + tail.length);
        System.arraycopy(tail, 0, both, cut.length, tail.length);
        a = both;
      }
      args.add(a);
    }
    String addr =
        client.remote() instanceof InetSocketAddress i && i.getAddress() != null
            ? i.getAddress().getHostAddress() + ":" + i.getPort()
            : String.valueOf(client.remote());
    entries.addFirst(
        new Entry(
            nextId++,
            System.currentTimeMillis() / 1000,
            micros,
            args,
            addr,
            client.name() == null ? "" : client.name()));
    trim();
  }

  private void trim() {
    while (entries.size() > maxLen) {
      entries.removeLast();
    }
  }

  public synchronized List<Entry> newest(long count) {
    List<Entry> out = new ArrayList<>();
    Iterator<Entry> it = entries.iterator();
    while (it.hasNext() && (count < 0 || out.size() < count)) {
      out.add(it.next());
    }
    return out;
  }

  public synchronized int length() {
    return entries.size();
  }

  public synchronized void reset() {
    entries.clear();
  }
}
