package io.kvdb.server.connection;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's MULTI state and WATCHed keys.
 *
 * <p>Between MULTI and EXEC commands are checked (name, arity, AUTH, READONLY, NO_MULTI) and
 * queued; a command refused at that point marks the transaction failed, and EXEC then discards it
 * with EXECABORT, as Redis does. A WATCHed key is remembered with whether it existed; {@link
 * WatchedKeys} marks the transaction dirty when a write command names the key, and EXEC also aborts
 * when a key that existed at WATCH is gone by then (expired, or removed by the expirer, which no
 * command names). Confined to the connection's event loop, except {@link #dirty}, which writers on
 * other loops set.
 */
public final class Transaction {
  /** What a transaction queues: a command the framework checked (its spec). */
  public interface Command {
    String name();
  }

  /** A queued command and its arguments. */
  public record Queued(Command command, byte[][] argv) {}

  private boolean open;
  private boolean failed;
  private final List<Queued> queued = new ArrayList<>();
  private final Map<ByteBuffer, Boolean> watched = new LinkedHashMap<>();
  private volatile boolean dirty;
  private volatile int queuedCount = -1; // for CLIENT LIST, from any thread: -1 outside MULTI

  public boolean open() {
    return open;
  }

  public void begin() {
    open = true;
    failed = false;
    queued.clear();
    queuedCount = 0;
  }

  public void queue(Command command, byte[][] argv) {
    queued.add(new Queued(command, argv));
    queuedCount = queued.size();
  }

  /** Commands queued, -1 outside MULTI. */
  int queuedCount() {
    return queuedCount;
  }

  public void fail() {
    failed = true;
  }

  public boolean failed() {
    return failed;
  }

  /** Ends MULTI: returns what was queued and forgets it. */
  public List<Queued> take() {
    List<Queued> q = new ArrayList<>(queued);
    queued.clear();
    queuedCount = -1;
    open = false;
    failed = false;
    return q;
  }

  public void discard() {
    queued.clear();
    queuedCount = -1;
    open = false;
    failed = false;
  }

  /** Keys watched and whether each existed when it was watched. */
  public Map<ByteBuffer, Boolean> watched() {
    return watched;
  }

  void markDirty() {
    dirty = true;
  }

  public boolean dirty() {
    return dirty;
  }

  /** Forgets the watched keys (the caller removes them from {@link WatchedKeys} first). */
  void clearWatched() {
    watched.clear();
    dirty = false;
  }
}
