package io.kvdb.server.netty;

import io.kvdb.server.config.ServerConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Redis' protected mode: a server with no password that listens on a non-loopback address answers
 * only loopback clients, unless {@code network.protected_mode} is false.
 */
public final class ProtectedMode {
  private ProtectedMode() {}

  /** Whether a client connecting from {@code remote} to {@code local} must be refused. */
  public static boolean refuses(
      ServerConfig.Network net, SocketAddress local, SocketAddress remote) {
    return refuses(net.protectedMode(), net.password(), local, remote);
  }

  /** The same, with the settings as CONFIG SET left them. */
  public static boolean refuses(
      boolean protectedMode, String password, SocketAddress local, SocketAddress remote) {
    if (!protectedMode || password != null) {
      return false;
    }
    if (local instanceof InetSocketAddress l
        && l.getAddress() != null
        && l.getAddress().isLoopbackAddress()) {
      return false;
    }
    return !(remote instanceof InetSocketAddress r
        && r.getAddress() != null
        && r.getAddress().isLoopbackAddress());
  }
}
