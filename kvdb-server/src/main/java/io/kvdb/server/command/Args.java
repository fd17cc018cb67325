package io.kvdb.server.command;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Parsing helpers for command arguments, with Redis' strictness. */
public final class Args {
  private Args() {}

  public static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  public static String lower(byte[] b) {
    return text(b).toLowerCase(Locale.ROOT);
  }

  public static boolean is(byte[] b, String word) {
    return lower(b).equals(word);
  }

  /**
   * Parses a signed 64-bit decimal as Redis' {@code string2ll} does: no spaces, no '+', no leading
   * zeros, at most 20 characters.
   *
   * @throws NumberFormatException if it is not one
   */
  public static long parseLong(byte[] b) {
    int n = b.length;
    if (n == 0 || n > 20) {
      throw new NumberFormatException();
    }
    if (n == 1 && b[0] == '0') {
      return 0;
    }
    int i = 0;
    if (b[0] == '-') {
      i = 1;
      if (n == 1) {
        throw new NumberFormatException();
      }
    }
    if (b[i] < '1' || b[i] > '9') {
      throw new NumberFormatException();
    }
    for (int k = i; k < n; k++) {
      if (b[k] < '0' || b[k] > '9') {
        throw new NumberFormatException();
      }
    }
    return Long.parseLong(new String(b, StandardCharsets.US_ASCII)); // throws on overflow
  }

  public static byte[] bytes(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  /** {@link #parseLong}, answering Redis' "not an integer" error when it is not one. */
  public static long integer(byte[] b) {
    try {
      return parseLong(b);
    } catch (NumberFormatException e) {
      throw new CommandException(RespErrors.NOT_INTEGER);
    }
  }

  /** Whether {@code b} is {@code word}, ignoring ASCII case, without allocating. */
  public static boolean isWord(byte[] b, String word) {
    if (b.length != word.length()) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      int c = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
      if (c != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
