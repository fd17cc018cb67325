package io.kvdb.server.command;

import io.kvdb.core.KvStore;
import io.kvdb.core.ScanPage;

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

  public CommandContext(ServerContext server, ConnectionState connection) {
    this.server = server;
    this.connection = connection;
  }

  void begin(CommandSpec spec) {
    current = spec;
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
    return server.store();
  }

  /** Reads a key. */
  public byte[] get(byte[] key) {
    byte[] v = server.store().get(key);
    (v == null ? server.stats().keyspaceMisses : server.stats().keyspaceHits).increment();
    return v;
  }

  /** Reads keys together, isolated ({@link KvStore#getAll}). */
  public java.util.List<byte[]> getAll(java.util.List<byte[]> keys) {
    java.util.List<byte[]> values = server.store().getAll(keys);
    long misses = 0;
    for (byte[] v : values) {
      misses += v == null ? 1 : 0;
    }
    server.stats().keyspaceMisses.add(misses);
    server.stats().keyspaceHits.add(values.size() - misses);
    return values;
  }

  public long size() {
    return server.store().size();
  }

  public ScanPage scan(long cursor, int count) {
    return server.store().scan(cursor, count);
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
