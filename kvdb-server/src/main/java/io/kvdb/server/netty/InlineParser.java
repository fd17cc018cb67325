package io.kvdb.server.netty;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments the way Redis does ({@code sdssplitargs}): spaces
 * separate arguments; "double quotes" take the escapes {@code \n \r \t \b \a \" \\ \xHH}; 'single
 * quotes' take only {@code \'}; a closing quote must be followed by a space or the end. Stateless;
 * shared with nothing (the CLI has its own copy of these rules, as it shares no code with the
 * server).
 */
public final class InlineParser {
  private InlineParser() {}

  /**
   * @return the arguments, or null when quotes are unbalanced
   */
  public static List<byte[]> split(byte[] line) {
    List<byte[]> args = new ArrayList<>();
    int p = 0;
    int end = line.length;
    while (true) {
      while (p < end && isSpace(line[p])) {
        p++;
      }
      if (p >= end) {
        return args;
      }
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      ByteArrayOutputStream cur = new ByteArrayOutputStream();
      while (!done) {
        if (inDouble) {
          if (p >= end) {
            return null;
          }
          byte c = line[p];
          if (c == '\\'
              && p + 3 < end
              && line[p + 1] == 'x'
              && isHex(line[p + 2])
              && isHex(line[p + 3])) {
            cur.write((hex(line[p + 2]) << 4) | hex(line[p + 3]));
            p += 3;
          } else if (c == '\\' && p + 1 < end) {
            p++;
            cur.write(
                switch (line[p]) {
                  case 'n' -> '\n';
                  case 'r' -> '\r';
                  case 't' -> '\t';
                  case 'b' -> '\b';
                  case 'a' -> 7;
                  default -> line[p];
                });
          } else if (c == '"') {
            if (p + 1 < end && !isSpace(line[p + 1])) {
              return null; // a closing quote must be followed by a space or nothing
            }
            done = true;
          } else {
            cur.write(c);
          }
        } else if (inSingle) {
          if (p >= end) {
            return null;
          }
          byte c = line[p];
          if (c == '\\' && p + 1 < end && line[p + 1] == '\'') {
            p++;
            cur.write('\'');
          } else if (c == '\'') {
            if (p + 1 < end && !isSpace(line[p + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(c);
          }
        } else {
          if (p >= end) {
            break;
          }
          byte c = line[p];
          switch (c) {
            case ' ', '\n', '\r', '\t', 0 -> done = true;
            case '"' -> inDouble = true;
            case '\'' -> inSingle = true;
            default -> cur.write(c);
          }
        }
        if (p < end) {
          p++;
        }
      }
      args.add(cur.toByteArray());
    }
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
  }

  private static boolean isHex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int hex(byte c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  }
}
