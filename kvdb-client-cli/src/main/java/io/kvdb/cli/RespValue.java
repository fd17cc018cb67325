package io.kvdb.cli;

import java.util.List;

/** A reply from the server. */
public sealed interface RespValue {
  record Simple(String text) implements RespValue {}

  record Error(String text) implements RespValue {}

  record Int(long value) implements RespValue {}

  /** A bulk string; {@code bytes} is null for the nil reply. */
  record Bulk(byte[] bytes) implements RespValue {}

  /** An array; {@code items} is null for the nil array. */
  record Array(List<RespValue> items) implements RespValue {}
}
