package io.kvdb.server.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** INFO's text parsed into its fields, so tests compare numbers, never substrings. */
public final class Info {
  private final Map<String, String> fields = new LinkedHashMap<>();

  private Info(String text) {
    for (String line : text.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
  }

  public static Info parse(String text) {
    return new Info(text);
  }

  /** The field's text; fails when the field is missing. */
  public String get(String name) {
    String v = fields.get(name);
    if (v == null) {
      throw new AssertionError("INFO has no field " + name + ": " + fields.keySet());
    }
    return v;
  }

  public long number(String name) {
    return Long.parseLong(get(name));
  }
}
