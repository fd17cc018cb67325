package io.kvdb.server.command;

import java.net.SocketAddress;

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
  private volatile long lastActiveMillis = createdMillis;
  private long lastWriteLsn; // event loop only
  private final Transaction transaction = new Transaction(); // event loop only
  private volatile boolean repliesOff; // CLIENT REPLY OFF
  private int skipReplies; // CLIENT REPLY SKIP: its own reply and the next one's; event loop only

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
  public long lastWriteLsn() {
    return lastWriteLsn;
  }

  public void lastWriteLsn(long lsn) {
    lastWriteLsn = lsn;
  }

  Transaction transaction() {
    return transaction;
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

  public void touch(String command) {
    lastCommand = command;
    lastActiveMillis = System.currentTimeMillis();
  }

  /** One line of CLIENT LIST. */
  public String describe() {
    long now = System.currentTimeMillis();
    return "id="
        + id
        + " addr="
        + String.valueOf(remote).replaceFirst("^/", "")
        + " name="
        + (name == null ? "" : name)
        + " age="
        + (now - createdMillis) / 1000
        + " idle="
        + (now - lastActiveMillis) / 1000
        + " db=0 cmd="
        + lastCommand
        + " lib-name="
        + (libName == null ? "" : libName)
        + " lib-ver="
        + (libVersion == null ? "" : libVersion);
  }
}
