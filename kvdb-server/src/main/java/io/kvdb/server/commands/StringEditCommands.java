package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.ArgDoc.string;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandException;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.util.Arrays;
import java.util.List;

/**
 * Commands that read or edit part of a string value: APPEND, GETRANGE (and its old name SUBSTR),
 * SETRANGE, with Redis' offset rules. An edit logs the whole resulting value (the log stays
 * idempotent) and keeps the key's expiry, as Redis does; a result longer than {@code
 * network.max_message_size} is refused as Redis refuses one over proto-max-bulk-len.
 */
public final class StringEditCommands {
  private static final String GROUP = "string";
  private static final byte[] EMPTY = new byte[0];

  private StringEditCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("append")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .key(1)
            .summary("Appends a string to the value of a key. Creates the key if it doesn't exist.")
            .example("APPEND log \"line\"")
            .args(key("key"), string("value"))
            .handler(StringEditCommands::append));
    for (String name : List.of("getrange", "substr")) {
      r.add(
          CommandSpec.named(name)
              .group(GROUP)
              .arity(4)
              .flags(READONLY)
              .key(1)
              .summary("Returns a substring of the string stored at a key.")
              .args(key("key"), ArgDoc.integer("start"), ArgDoc.integer("end"))
              .handler(StringEditCommands::getrange));
    }
    r.add(
        CommandSpec.named("setrange")
            .group(GROUP)
            .arity(4)
            .flags(WRITE)
            .key(1)
            .summary(
                "Overwrites a part of a string value with another by an offset. Creates the key if it"
                    + " doesn't exist.")
            .example("SETRANGE greeting 6 Redis")
            .args(key("key"), ArgDoc.integer("offset"), string("value"))
            .handler(StringEditCommands::setrange));
  }

  private static long maxLength(CommandContext c) {
    return c.server().config().network().maxMessageSize();
  }

  /** Values growing by less than this skip the heap check (it only guards huge allocations). */
  private static final long HEAP_CHECK_FROM = 1 << 20;

  /**
   * Refuses with {@code -OOM} a value that would grow from {@code from} to {@code to} bytes when
   * the data would pass {@code maxmemory}, or when the heap cannot hold the new array: checked
   * before anything is allocated, so a huge offset answers an error instead of an OutOfMemoryError.
   */
  static void ensureRoom(CommandContext c, long from, long to) {
    long grow = to - from;
    if (grow <= 0) {
      return;
    }
    long max = c.server().runtime().maxMemory();
    if (max > 0 && c.server().engine().usedMemory() + grow > max) {
      throw new CommandException(RespErrors.OOM);
    }
    if (to >= HEAP_CHECK_FROM) {
      Runtime rt = Runtime.getRuntime();
      long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
      if (to > free) {
        throw new CommandException(RespErrors.OOM);
      }
    }
  }

  private static Reply append(CommandContext c, byte[][] a) {
    byte[] tail = a[2];
    long max = maxLength(c);
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (cur, at) -> {
                  byte[] base = cur == null ? EMPTY : cur;
                  if ((long) base.length + tail.length > max) {
                    throw new CommandException(RespErrors.STRING_TOO_LONG);
                  }
                  ensureRoom(c, base.length, (long) base.length + tail.length);
                  byte[] next = Arrays.copyOf(base, base.length + tail.length);
                  System.arraycopy(tail, 0, next, base.length, tail.length);
                  return Decision.put(next, Decision.KEEP_TTL, Reply.integer(next.length));
                }));
  }

  private static Reply getrange(CommandContext c, byte[][] a) {
    long start = Args.integer(a[2]);
    long end = Args.integer(a[3]);
    byte[] v = c.get(a[1]);
    if (v == null) {
      return Reply.bulk(EMPTY);
    }
    long len = v.length;
    if (start < 0 && end < 0 && start > end) {
      return Reply.bulk(EMPTY);
    }
    if (start < 0) {
      start = len + start;
    }
    if (end < 0) {
      end = len + end;
    }
    start = Math.max(start, 0);
    end = Math.max(end, 0);
    if (end >= len) {
      end = len - 1;
    }
    if (start > end || len == 0) {
      return Reply.bulk(EMPTY);
    }
    return Reply.bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
  }

  private static Reply setrange(CommandContext c, byte[][] a) {
    long offset = Args.integer(a[2]);
    if (offset < 0) {
      return Reply.error(RespErrors.OFFSET_RANGE);
    }
    byte[] patch = a[3];
    long max = maxLength(c);
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (cur, at) -> {
                  if (patch.length == 0) {
                    return Decision.keep(Reply.integer(cur == null ? 0 : cur.length));
                  }
                  if (offset > max - patch.length) { // never overflows: both are positive
                    throw new CommandException(RespErrors.STRING_TOO_LONG);
                  }
                  byte[] base = cur == null ? EMPTY : cur;
                  ensureRoom(c, base.length, Math.max(base.length, offset + patch.length));
                  int size = (int) Math.max(base.length, offset + patch.length);
                  byte[] next = Arrays.copyOf(base, size);
                  System.arraycopy(patch, 0, next, (int) offset, patch.length);
                  return Decision.put(next, Decision.KEEP_TTL, Reply.integer(next.length));
                }));
  }
}
