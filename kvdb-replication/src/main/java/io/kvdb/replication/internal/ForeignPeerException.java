package io.kvdb.replication.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The peer on a replication link does not speak kvdb's replication protocol: its first bytes are a
 * RESP reply or request, or text (a client port, a Redis server, an HTTP server given by mistake).
 * Nothing it declared was allocated.
 */
public final class ForeignPeerException extends IOException {
  public ForeignPeerException(String message) {
    super(message);
  }

  /**
   * What the four bytes read as a frame length look like, if they are text: a RESP reply ({@code
   * -ERR}, {@code +OK}, {@code $}, {@code *}, {@code :}) or printable ASCII; null if they may be a
   * frame length.
   */
  static String describe(int length) {
    byte[] b = {
      (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
    };
    for (byte c : b) {
      if (c != '\r' && c != '\n' && (c < 0x20 || c > 0x7e)) {
        return null;
      }
    }
    String text =
        new String(b, StandardCharsets.US_ASCII).replace("\r", "\\r").replace("\n", "\\n");
    boolean resp = "-+$*:".indexOf(b[0]) >= 0;
    return "the peer does not speak kvdb's replication protocol: it sent \""
        + text
        + "\""
        + (resp
            ? " (a RESP reply or request: a client port, or a Redis server, not a replication port)"
            : " (text, not a replication frame)");
  }
}
