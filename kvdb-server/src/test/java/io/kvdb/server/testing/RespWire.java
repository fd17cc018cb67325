package io.kvdb.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A RESP2 client that returns each reply as the exact bytes the server sent, for comparing kvdb
 * with Redis byte for byte. Every read has a socket timeout, so a missing reply fails the test
 * rather than hanging it.
 */
public final class RespWire implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespWire(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RespWire connect(int port) throws IOException {
    return new RespWire(new Socket("127.0.0.1", port));
  }

  /** Sends one command (as a RESP array) without reading its reply. */
  public void send(String... args) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] x = a.getBytes(StandardCharsets.UTF_8);
      b.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(x);
      b.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(b.toByteArray());
    out.flush();
  }

  /** Sends one command and returns its reply's bytes, shown as text with CR LF visible. */
  public String call(String... args) throws IOException {
    send(args);
    return readReply();
  }

  /**
   * Reads one whole reply (nested arrays included) and returns its bytes as ASCII text: CR and LF
   * as {@code \r} and {@code \n}, other bytes outside printable ASCII as {@code \xHH}, so that two
   * replies compare equal exactly when their bytes are equal.
   */
  public String readReply() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    readInto(b);
    StringBuilder out = new StringBuilder();
    for (byte x : b.toByteArray()) {
      int c = x & 0xFF;
      if (c == '\r') {
        out.append("\\r");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c >= 0x20 && c < 0x7F) {
        out.append((char) c);
      } else {
        out.append(String.format("\\x%02x", c));
      }
    }
    return out.toString();
  }

  private void readInto(ByteArrayOutputStream b) throws IOException {
    String line = line();
    b.writeBytes(line.getBytes(StandardCharsets.UTF_8));
    b.writeBytes(new byte[] {'\r', '\n'});
    char type = line.charAt(0);
    if (type == '$') {
      int n = Integer.parseInt(line.substring(1));
      if (n >= 0) {
        b.writeBytes(in.readNBytes(n + 2));
      }
    } else if (type == '*') {
      int n = Integer.parseInt(line.substring(1));
      for (int i = 0; i < n; i++) {
        readInto(b);
      }
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed");
      }
      if (prev == '\r' && c == '\n') {
        byte[] x = b.toByteArray();
        return new String(x, 0, x.length - 1, StandardCharsets.UTF_8);
      }
      b.write(c);
      prev = c;
    }
  }

  /** Whether a reply is waiting to be read (without blocking). */
  public boolean hasPending() throws IOException {
    return in.available() > 0;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
