package io.kvdb.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns replies into text as redis-cli does (numbered arrays, {@code (integer)}, {@code (error)},
 * {@code (nil)}, quoted and escaped strings), except GET, which prints {@code Value: <value>} or
 * {@code key not found} as the Go kv-db client did, and INFO / CLIENT LIST, printed as text.
 * Terminal-free, stateless.
 */
public final class ReplyPrinter {
  private ReplyPrinter() {}

  /** The text for {@code reply} to the command named {@code command}. */
  public static String format(String command, RespValue reply) {
    String name = command.toUpperCase(Locale.ROOT);
    if (name.equals("GET") && reply instanceof RespValue.Bulk b) {
      return b.bytes() == null ? "key not found" : "Value: " + escape(b.bytes(), false);
    }
    if ((name.equals("INFO") || name.equals("CLIENT"))
        && reply instanceof RespValue.Bulk b
        && b.bytes() != null) {
      // Multi-line reports print as text, as redis-cli prints them.
      return new String(b.bytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").stripTrailing();
    }
    return format(reply, "");
  }

  static String format(RespValue reply, String indent) {
    if (reply instanceof RespValue.Simple s) {
      return s.text();
    }
    if (reply instanceof RespValue.Error e) {
      return "(error) " + e.text();
    }
    if (reply instanceof RespValue.Int i) {
      return "(integer) " + i.value();
    }
    if (reply instanceof RespValue.Bulk b) {
      return b.bytes() == null ? "(nil)" : escape(b.bytes(), true);
    }
    List<RespValue> items = ((RespValue.Array) reply).items();
    if (items == null) {
      return "(nil)";
    }
    if (items.isEmpty()) {
      return "(empty array)";
    }
    StringBuilder out = new StringBuilder();
    int width = Integer.toString(items.size()).length();
    for (int i = 0; i < items.size(); i++) {
      String number = String.format(Locale.ROOT, "%" + width + "d) ", i + 1);
      String prefix = i == 0 ? "" : indent;
      String nested = indent + " ".repeat(number.length());
      out.append(prefix).append(number).append(format(items.get(i), nested));
      if (i < items.size() - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** Printable ASCII and UTF-8 text as is; other bytes as {@code \xHH}; optionally in quotes. */
  public static String escape(byte[] bytes, boolean quote) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    boolean valid = Arrays.equals(s.getBytes(StandardCharsets.UTF_8), bytes);
    StringBuilder b = new StringBuilder(quote ? "\"" : "");
    if (valid) {
      s.codePoints()
          .forEach(
              cp -> {
                switch (cp) {
                  case '\n' -> b.append("\\n");
                  case '\r' -> b.append("\\r");
                  case '\t' -> b.append("\\t");
                  case '"' -> b.append(quote ? "\\\"" : "\"");
                  case '\\' -> b.append("\\\\");
                  default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                      b.append(String.format(Locale.ROOT, "\\x%02x", cp));
                    } else {
                      b.appendCodePoint(cp);
                    }
                  }
                }
              });
    } else {
      for (byte x : bytes) {
        int c = x & 0xff;
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
          b.append((char) c);
        } else {
          b.append(String.format(Locale.ROOT, "\\x%02x", c));
        }
      }
    }
    return b.append(quote ? "\"" : "").toString();
  }
}
