package io.kvdb.server.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the server knows about one client connection. Confined to the connection's event loop
 * thread, except the fields read by CLIENT LIST and INFO, which tolerate stale values.
 */
public final class ConnectionState {
  private final long id;
  private final SocketAddress remote;
  private final long createdMillis = System.currentTimeMillis();
  private volatile boolean authenticated;
  private volatile String name;
  private volatile String libName;
  private volatile String libVersion;
  private volatile String lastCommand = "NULL";
  private volatile long lastActiveNanos = System.nanoTime();
  private long lastWriteLsn; // event loop only
  private final Transaction transaction = new Transaction(); // event loop only
  private volatile boolean repliesOff; // CLIENT REPLY OFF
  private int skipReplies; // CLIENT REPLY SKIP: its own reply and the next one's; event loop only
  private volatile SocketAddress local;
  private volatile Probe probe = Probe.NONE;
  // Commands blocked on this connection (WAIT, WAITAOF): released when the client goes.
  private final Set<CompletableFuture<?>> blocked = ConcurrentHashMap.newKeySet();

  /**
   * What the connection tells CLIENT LIST about itself, and how CLIENT KILL closes it; set by the
   * connection's handler. Read from any thread (the figures may be a moment old).
   */
  public interface Probe {
    Probe NONE =
        new Probe() {
          @Override
          public long inputBufferBytes() {
            return 0;
          }

          @Override
          public long outputBufferBytes() {
            return 0;
          }

          @Override
          public int queuedReplies() {
            return 0;
          }

          @Override
          public void kill() {}
        };

    /** Bytes read but not yet parsed into a request (Redis' qbuf). */
    long inputBufferBytes();

    /** Bytes of replies not yet taken by the socket (Redis' omem). */
    long outputBufferBytes();

    /** Replies waiting behind an unfinished one (Redis' oll). */
    int queuedReplies();

    /** Closes the connection, from any thread. */
    void kill();
  }

  public ConnectionState(long id, SocketAddress remote, boolean authenticated) {
    this.id = id;
    this.remote = remote;
    this.authenticated = authenticated;
  }

  public long id() {
    return id;
  }

  public SocketAddress remote() {
    return remote;
  }

  public boolean authenticated() {
    return authenticated;
  }

  public void authenticated(boolean value) {
    authenticated = value;
  }

  public String name() {
    return name;
  }

  public void name(String value) {
    name = value;
  }

  public void libName(String value) {
    libName = value;
  }

  public void libVersion(String value) {
    libVersion = value;
  }

  /** The log's last LSN right after this connection's last write command: what WAIT waits for. */
  /**
   * Registers a blocked command's wait: it is cancelled if the connection closes first, so the
   * server frees the client and whatever the wait holds (Redis frees a blocked client that left).
   */
  @SuppressWarnings("CollectionUndefinedEquality") // identity is the point: this very wait
  public void blockedOn(CompletableFuture<?> wait) {
    if (!wait.isDone()) {
      blocked.add(wait);
      wait.whenComplete((v, e) -> blocked.remove(wait));
    }
  }

  /** Whether a command of this connection is blocked (INFO blocked_clients). */
  public boolean isBlocked() {
    return !blocked.isEmpty();
  }

  /** Cancels every blocked command: the connection closed. */
  public void releaseBlocked() {
    for (CompletableFuture<?> f : List.copyOf(blocked)) {
      f.cancel(false);
    }
    blocked.clear();
  }

  public long lastWriteLsn() {
    return lastWriteLsn;
  }

  public void lastWriteLsn(long lsn) {
    lastWriteLsn = lsn;
  }

  public Transaction transaction() {
    return transaction;
  }

  public void local(SocketAddress address) {
    local = address;
  }

  public void probe(Probe p) {
    probe = p;
  }

  /** Bytes read but not yet parsed (Redis' qbuf). */
  public long inputBufferBytes() {
    return probe.inputBufferBytes();
  }

  /** Bytes of replies the socket has not taken yet (Redis' omem). */
  public long outputBufferBytes() {
    return probe.outputBufferBytes();
  }

  /** Closes this connection (CLIENT KILL), from any thread. */
  public void kill() {
    probe.kill();
  }

  /** "ip:port" of the client, as Redis prints addr. */
  public String address() {
    return hostPort(remote);
  }

  public String localAddress() {
    return hostPort(local);
  }

  private static String hostPort(SocketAddress a) {
    if (a instanceof InetSocketAddress i && i.getAddress() != null) {
      return i.getAddress().getHostAddress() + ":" + i.getPort();
    }
    return a == null ? "" : String.valueOf(a);
  }

  /** CLIENT REPLY ON / OFF / SKIP. */
  public void replyMode(String mode) {
    switch (mode) {
      case "on" -> {
        repliesOff = false;
        skipReplies = 0;
      }
      case "off" -> repliesOff = true;
      case "skip" -> skipReplies = repliesOff ? 0 : 2;
      default -> throw new IllegalArgumentException(mode);
    }
  }

  /**
   * Whether the reply of the command that just ran is sent: not while CLIENT REPLY is OFF, not for
   * the one command after CLIENT REPLY SKIP.
   */
  public boolean takeReplyWanted() {
    if (skipReplies > 0) {
      skipReplies--;
      return false;
    }
    return !repliesOff;
  }

  /** A command arrived at {@code nanos} (System.nanoTime: the clock its timing read). */
  public void touch(String command, long nanos) {
    lastCommand = command;
    lastActiveNanos = nanos;
  }

  /**
   * One line of CLIENT LIST / CLIENT INFO, with Redis' field names for what kvdb has: flags {@code
   * N} (normal), {@code x} (in MULTI) or {@code O} (MONITOR); {@code multi} the queued commands or
   * -1; {@code qbuf} and {@code omem} the bytes waiting in and out; {@code oll} the replies queued
   * behind an unfinished write.
   */
  public String describe(boolean monitoring) {
    long now = System.currentTimeMillis();
    Probe p = probe;
    int queued = transaction.queuedCount();
    String flags = monitoring ? "O" : queued >= 0 ? "x" : "N";
    return "id="
        + id
        + " addr="
        + address()
        + " laddr="
        + localAddress()
        + " name="
        + (name == null ? "" : name)
        + " age="
        + (now - createdMillis) / 1000
        + " idle="
        + Math.max(0, System.nanoTime() - lastActiveNanos) / 1_000_000_000L
        + " flags="
        + flags
        + " db=0 multi="
        + queued
        + " qbuf="
        + p.inputBufferBytes()
        + " oll="
        + p.queuedReplies()
        + " omem="
        + p.outputBufferBytes()
        + " cmd="
        + lastCommand
        + " user=default resp=2 lib-name="
        + (libName == null ? "" : libName)
        + " lib-ver="
        + (libVersion == null ? "" : libVersion);
  }
}
