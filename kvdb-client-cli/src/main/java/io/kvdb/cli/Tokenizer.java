package io.kvdb.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a typed line into arguments with the server's inline rules (Redis' {@code sdssplitargs}):
 * spaces separate; "double quotes" take {@code \n \r \t \b \a \" \\ \xHH}; 'single quotes' take
 * {@code \'}; a closing quote must be followed by a space or the end. Terminal-free and stateless.
 */
public final class Tokenizer {
  private Tokenizer() {}

  /** Thrown for unbalanced quotes. */
  public static final class UnbalancedQuotesException extends Exception {
    private static final long serialVersionUID = 1L;

    UnbalancedQuotesException() {
      super("Invalid argument(s): unbalanced quotes");
    }
  }

  public static List<byte[]> split(String line) throws UnbalancedQuotesException {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    List<byte[]> args = new ArrayList<>();
    int p = 0;
    while (true) {
      while (p < b.length && isSpace(b[p])) {
        p++;
      }
      if (p >= b.length) {
        return args;
      }
      ByteArrayOutputStream cur = new ByteArrayOutputStream();
      if (b[p] == '"') {
        p = quoted(b, p + 1, cur, true);
      } else if (b[p] == '\'') {
        p = quoted(b, p + 1, cur, false);
      } else {
        while (p < b.length && !isSpace(b[p])) {
          if (b[p] == '"' || b[p] == '\'') {
            p = quoted(b, p + 1, cur, b[p] == '"');
          } else {
            cur.write(b[p++]);
          }
        }
      }
      args.add(cur.toByteArray());
    }
  }

  /** Reads a quoted section from {@code p} (after the quote); returns the index after it. */
  private static int quoted(byte[] b, int p, ByteArrayOutputStream cur, boolean dbl)
      throws UnbalancedQuotesException {
    while (true) {
      if (p >= b.length) {
        throw new UnbalancedQuotesException();
      }
      byte c = b[p];
      if (dbl
          && c == '\\'
          && p + 3 < b.length
          && b[p + 1] == 'x'
          && hex(b[p + 2]) >= 0
          && hex(b[p + 3]) >= 0) {
        cur.write(hex(b[p + 2]) * 16 + hex(b[p + 3]));
        p += 4;
      } else if (dbl && c == '\\' && p + 1 < b.length) {
        byte n = b[p + 1];
        cur.write(
            switch (n) {
              case 'n' -> '\n';
              case 'r' -> '\r';
              case 't' -> '\t';
              case 'b' -> '\b';
              case 'a' -> 7;
              default -> n;
            });
        p += 2;
      } else if (!dbl && c == '\\' && p + 1 < b.length && b[p + 1] == '\'') {
        cur.write('\'');
        p += 2;
      } else if (c == (dbl ? '"' : '\'')) {
        if (p + 1 < b.length && !isSpace(b[p + 1])) {
          throw new UnbalancedQuotesException();
        }
        return p + 1;
      } else {
        cur.write(c);
        p++;
      }
    }
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
