package io.kvdb.server.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The connected clients, for the connection limit, CLIENT LIST and INFO clients. Thread-safe:
 * connections register from their own event loops.
 */
public final class ClientRegistry {
  private final IntSupplier max;
  private final AtomicLong nextId = new AtomicLong();
  private final ConcurrentHashMap<Long, ConnectionState> clients = new ConcurrentHashMap<>();

  /** {@code max}: the connection limit, read at each connection (CONFIG SET maxclients). */
  public ClientRegistry(IntSupplier max) {
    this.max = max;
  }

  public long nextId() {
    return nextId.incrementAndGet();
  }

  /**
   * Registers a client unless the limit is reached.
   *
   * @return false when the server already has {@code max} clients
   */
  public synchronized boolean tryRegister(ConnectionState c) {
    if (clients.size() >= max.getAsInt()) {
      return false;
    }
    clients.put(c.id(), c);
    return true;
  }

  public void unregister(ConnectionState c) {
    clients.remove(c.id());
  }

  public int connected() {
    return clients.size();
  }

  public int max() {
    return max.getAsInt();
  }

  public List<String> describeAll(Monitors monitors) {
    List<String> lines = new ArrayList<>();
    clients.values().stream()
        .sorted((a, b) -> Long.compare(a.id(), b.id()))
        .forEach(c -> lines.add(c.describe(monitors.has(c))));
    return lines;
  }

  /** The connected clients now (a copy). */
  public List<ConnectionState> all() {
    return new ArrayList<>(clients.values());
  }
}
