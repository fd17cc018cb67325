package io.kvdb.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * {@code logging.format: json}: one JSON object per line with stable field names — {@code ts}
 * (ISO-8601, UTC, milliseconds), {@code level}, {@code logger}, {@code thread}, {@code msg} (the
 * formatted message) — then the event's own fields, given at the call site with SLF4J's {@code
 * addKeyValue} ({@code lsn}, {@code file}, {@code offset}, {@code client}, ...; numbers stay
 * numbers), the MDC, and {@code error} and {@code stack} for an exception. Stateless.
 */
final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"ts\":");
    string(b, Instant.ofEpochMilli(e.getTimeStamp()).toString());
    b.append(",\"level\":");
    string(b, e.getLevel().toString());
    b.append(",\"logger\":");
    string(b, e.getLoggerName());
    b.append(",\"thread\":");
    string(b, e.getThreadName());
    b.append(",\"msg\":");
    string(b, e.getFormattedMessage());
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        b.append(',');
        string(b, kv.key);
        b.append(':');
        value(b, kv.value);
      }
    }
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach(
          (k, v) -> {
            b.append(',');
            string(b, k);
            b.append(':');
            string(b, v);
          });
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      b.append(",\"error\":");
      string(b, t.getClassName() + ": " + t.getMessage());
      b.append(",\"stack\":");
      string(b, ThrowableProxyUtil.asString(t));
    }
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void value(StringBuilder b, Object v) {
    if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else {
      string(b, String.valueOf(v));
    }
  }

  /** A JSON string, escaped (control characters as \\uXXXX). */
  static void string(StringBuilder b, String s) {
    b.append('"');
    if (s != null) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
    }
    b.append('"');
  }
}
