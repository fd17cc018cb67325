package io.kvdb.server.command;

import io.kvdb.core.KvStore;
import io.kvdb.core.ScanPage;
import io.kvdb.server.connection.ConnectionState;
import io.kvdb.server.stats.CommandStats;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a handler sees while it runs: the server, its connection, and the store. The store's write
 * API is reachable only through {@link #writes()}, which only a command flagged {@link
 * CommandFlag#WRITE} may call: so the flag, not a hand-kept list, decides what can reach the WAL
 * (and so what replicas receive, and what a replica refuses). Confined to the connection's event
 * loop.
 */
public final class CommandContext {
  private final ServerContext server;
  private final ConnectionState connection;
  private CommandSpec current;
  private boolean closeAfterReply;
  private KvStore view; // inside EXEC: the atomic view of the transaction's keys
  private Consumer<Reply> push = r -> {};
  private CommandStats.ThreadStats threadStats; // this connection's event loop's
  private boolean batched; // the connection is running one read's commands back to back
  private long clock; // while batched: when the last command ended (System.nanoTime)
  private boolean clockSet;

  public CommandContext(ServerContext server, ConnectionState connection) {
    this.server = server;
    this.connection = connection;
  }

  /**
   * While {@code on}, the commands run through this context come from one read of the connection,
   * back to back: each starts when the previous one ended, so timing a command costs one clock read
   * instead of two (statistics are kept for every command; docs/benchmarks.md). The gap between two
   * commands (the previous reply's encoding) counts toward the next. Off: every command reads the
   * clock when it starts.
   */
  public void batch(boolean on) {
    if (batched != on) {
      batched = on;
      clockSet = false;
    }
  }

  /** When the command about to run starts (see {@link #batch}). */
  long commandStart() {
    if (batched && clockSet) {
      return clock;
    }
    long now = System.nanoTime();
    clock = now;
    clockSet = batched;
    return now;
  }

  /** The command that is running ended at {@code nanos}. */
  void commandEnded(long nanos) {
    clock = nanos;
    clockSet = batched;
  }

  void begin(CommandSpec spec) {
    current = spec;
  }

  CommandSpec current() {
    return current;
  }

  /** The statistics of the thread this connection runs on (looked up once: it never changes). */
  CommandStats.ThreadStats threadStats() {
    CommandStats.ThreadStats t = threadStats;
    if (t == null) {
      t = server.commandStats().forCurrentThread();
      threadStats = t;
    }
    return t;
  }

  public ServerContext server() {
    return server;
  }

  public ConnectionState connection() {
    return connection;
  }

  /** The store, for writing. */
  public KvStore writes() {
    if (current == null || !current.has(CommandFlag.WRITE)) {
      throw new IllegalStateException(
          "command '"
              + (current == null ? "?" : current.name())
              + "' is not flagged WRITE and may not write");
    }
    return store();
  }

  /**
   * The store for reading: the server's, or inside EXEC the transaction's view, which every command
   * of the transaction must use (the view's shards are locked by this thread, and the locks are not
   * reentrant).
   */
  public KvStore store() {
    return view != null ? view : server.store();
  }

  /** The store's clock now, in Unix milliseconds: what expiry options are relative to. */
  public long nowMillis() {
    return store().clock().millis();
  }

  /** Runs {@code work} with {@link #store()} being the atomic view of a transaction. */
  public <R> R inView(KvStore atomicView, Supplier<R> work) {
    KvStore before = view;
    view = atomicView;
    try {
      return work.get();
    } finally {
      view = before;
    }
  }

  public boolean inTransactionView() {
    return view != null;
  }

  /** Reads a key. */
  public byte[] get(byte[] key) {
    byte[] v = store().get(key);
    (v == null ? server.stats().keyspaceMisses : server.stats().keyspaceHits).increment();
    return v;
  }

  /** Reads keys together, isolated ({@link KvStore#getAll}). */
  public List<byte[]> getAll(List<byte[]> keys) {
    List<byte[]> values = store().getAll(keys);
    long misses = 0;
    for (byte[] v : values) {
      misses += v == null ? 1 : 0;
    }
    server.stats().keyspaceMisses.add(misses);
    server.stats().keyspaceHits.add(values.size() - misses);
    return values;
  }

  public long size() {
    return store().size();
  }

  public ScanPage scan(long cursor, int count) {
    return store().scan(cursor, count);
  }

  /**
   * How to send this connection a reply nobody asked for (MONITOR lines), from any thread: the
   * connection queues it behind the replies already waiting. Set by the connection.
   */
  public void pushWith(Consumer<Reply> push) {
    this.push = push;
  }

  public Consumer<Reply> push() {
    return push;
  }

  /** Ask the connection to close once this command's reply is written (QUIT). */
  public void closeAfterReply() {
    closeAfterReply = true;
  }

  public boolean takeCloseAfterReply() {
    boolean c = closeAfterReply;
    closeAfterReply = false;
    return c;
  }
}
