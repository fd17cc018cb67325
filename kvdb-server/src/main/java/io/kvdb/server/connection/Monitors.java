package io.kvdb.server.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Clients in MONITOR mode, and the line each of them is sent for every command the server runs, in
 * Redis' format: {@code +1339518083.107412 [0 127.0.0.1:60866] "set" "k" "v"}. A command is fed
 * after it ran (inside EXEC, each queued command, then EXEC); administrative commands and AUTH /
 * HELLO (which carry passwords) are not. With no monitor the cost per command is one {@code
 * isEmpty()}. Each monitor is told through its connection's own event loop. Thread-safe.
 */
public final class Monitors {
  private final Map<Long, Consumer<String>> byClient = new ConcurrentHashMap<>();

  public void add(ConnectionState client, Consumer<String> sink) {
    byClient.put(client.id(), sink);
  }

  /** Stops feeding {@code client} (RESET, or its connection closed). */
  public void remove(ConnectionState client) {
    byClient.remove(client.id());
  }

  public boolean isEmpty() {
    return byClient.isEmpty();
  }

  public int size() {
    return byClient.size();
  }

  public boolean has(ConnectionState client) {
    return byClient.containsKey(client.id());
  }

  /**
   * Shows a command that ran to every monitor. The caller leaves out what Redis does not show
   * (administrative commands, AUTH, HELLO: {@code CommandSpec.monitored}).
   */
  public void feed(ConnectionState from, byte[][] argv) {
    if (byClient.isEmpty()) {
      return;
    }
    Instant now = Instant.now(); // microseconds on Linux
    StringBuilder b = new StringBuilder(64);
    b.append(now.getEpochSecond()).append('.');
    String frac = Long.toString(now.getNano() / 1000);
    b.append("000000", 0, 6 - frac.length()).append(frac);
    b.append(" [0 ").append(address(from.remote())).append(']');
    for (byte[] a : argv) {
      b.append(' ');
      repr(b, a);
    }
    String line = b.toString();
    byClient.values().forEach(sink -> sink.accept(line));
  }

  private static String address(SocketAddress a) {
    if (a instanceof InetSocketAddress i && i.getAddress() != null) {
      return i.getAddress().getHostAddress() + ":" + i.getPort();
    }
    return String.valueOf(a);
  }

  /** Redis' {@code sdscatrepr}: quoted, with C escapes and \xHH for the unprintable. */
  static void repr(StringBuilder b, byte[] s) {
    b.append('"');
    for (byte x : s) {
      int c = x & 0xFF;
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case 7 -> b.append("\\a");
        case '\b' -> b.append("\\b");
        default -> {
          if (c >= 0x20 && c < 0x7F) {
            b.append((char) c);
          } else {
            b.append(String.format("\\x%02x", c));
          }
        }
      }
    }
    b.append('"');
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
