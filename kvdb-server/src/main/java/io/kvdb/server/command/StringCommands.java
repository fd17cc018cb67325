package io.kvdb.server.command;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.ArgDoc.string;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.KeyFunction.Decision;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * String commands: GET, SET, SETNX, GETDEL, MGET, MSET, INCR, DECR, INCRBY, DECRBY, STRLEN. Writes
 * reply when durable ({@link Reply#later}); an increment logs its resulting value, so the log stays
 * idempotent.
 */
final class StringCommands {
  private static final String GROUP = "string";

  private StringCommands() {}

  static void register(CommandRegistry r) {
    r.add(
        CommandSpec.keyed(
            GROUP,
            "get",
            2,
            EnumSet.of(READONLY, FAST),
            1,
            1,
            1,
            "Returns the string value of a key.",
            List.of(key("key")),
            StringCommands::get));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "set",
            -3,
            EnumSet.of(WRITE),
            1,
            1,
            1,
            "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
            List.of(
                key("key"),
                string("value"),
                ArgDoc.oneOf("condition", ArgDoc.token("NX"), ArgDoc.token("XX")).asOptional(),
                ArgDoc.token("GET").asOptional()),
            StringCommands::set));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "setnx",
            3,
            EnumSet.of(WRITE, FAST),
            1,
            1,
            1,
            "Set the string value of a key only when the key doesn't exist.",
            List.of(key("key"), string("value")),
            StringCommands::setnx));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "getdel",
            2,
            EnumSet.of(WRITE, FAST),
            1,
            1,
            1,
            "Returns the string value of a key after deleting the key.",
            List.of(key("key")),
            StringCommands::getdel));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "mget",
            -2,
            EnumSet.of(READONLY, FAST),
            1,
            -1,
            1,
            "Atomically returns the string values of one or more keys.",
            List.of(key("key").asMultiple()),
            StringCommands::mget));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "mset",
            -3,
            EnumSet.of(WRITE),
            1,
            -1,
            2,
            "Atomically creates or modifies the string values of one or more keys.",
            List.of(ArgDoc.block("data", key("key"), string("value")).asMultiple()),
            StringCommands::mset));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "incr",
            2,
            EnumSet.of(WRITE, FAST),
            1,
            1,
            1,
            "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
            List.of(key("key")),
            (c, a) -> incrBy(c, a[1], 1)));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "decr",
            2,
            EnumSet.of(WRITE, FAST),
            1,
            1,
            1,
            "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
            List.of(key("key")),
            (c, a) -> incrBy(c, a[1], -1)));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "incrby",
            3,
            EnumSet.of(WRITE, FAST),
            1,
            1,
            1,
            "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
            List.of(key("key"), ArgDoc.integer("increment")),
            (c, a) -> incrBy(c, a[1], delta(a[2], false))));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "decrby",
            3,
            EnumSet.of(WRITE, FAST),
            1,
            1,
            1,
            "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
            List.of(key("key"), ArgDoc.integer("decrement")),
            (c, a) -> incrBy(c, a[1], delta(a[2], true))));
    r.add(
        CommandSpec.keyed(
            GROUP,
            "strlen",
            2,
            EnumSet.of(READONLY, FAST),
            1,
            1,
            1,
            "Returns the length of a string value.",
            List.of(key("key")),
            (c, a) -> {
              byte[] v = c.get(a[1]);
              return Reply.integer(v == null ? 0 : v.length);
            }));
  }

  private static Reply get(CommandContext c, byte[][] a) {
    return Reply.bulk(c.get(a[1]));
  }

  private static Reply set(CommandContext c, byte[][] a) {
    boolean nx = false;
    boolean xx = false;
    boolean get = false;
    for (int i = 3; i < a.length; i++) {
      switch (Args.lower(a[i])) {
        case "nx" -> nx = true;
        case "xx" -> xx = true;
        case "get" -> get = true;
        case "keepttl" -> {} // no key has a TTL yet, so keeping it changes nothing
        case "ex", "px", "exat", "pxat" -> {
          return Reply.error(RespErrors.EXPIRY_UNSUPPORTED);
        }
        default -> {
          return Reply.error(RespErrors.SYNTAX);
        }
      }
    }
    if (nx && xx) {
      return Reply.error(RespErrors.SYNTAX);
    }
    byte[] value = a[2];
    if (!nx && !xx && !get) {
      return durable(c.writes().putAsync(a[1], value), Reply.OK);
    }
    boolean onlyIfAbsent = nx;
    boolean onlyIfPresent = xx;
    boolean returnOld = get;
    return Reply.later(
        c.writes()
            .compute(
                a[1],
                current -> {
                  boolean write =
                      !(onlyIfAbsent && current != null) && !(onlyIfPresent && current == null);
                  Reply r = returnOld ? Reply.bulk(current) : (write ? Reply.OK : Reply.NULL_BULK);
                  return write ? Decision.put(value, r) : Decision.keep(r);
                }));
  }

  private static Reply setnx(CommandContext c, byte[][] a) {
    byte[] value = a[2];
    return Reply.later(
        c.writes()
            .compute(
                a[1],
                cur -> cur == null ? Decision.put(value, Reply.ONE) : Decision.keep(Reply.ZERO)));
  }

  private static Reply getdel(CommandContext c, byte[][] a) {
    return Reply.later(
        c.writes()
            .compute(
                a[1],
                cur ->
                    cur == null
                        ? Decision.keep(Reply.NULL_BULK)
                        : Decision.delete(Reply.bulk(cur))));
  }

  /** Isolated: the values all existed together at one instant (never half of an MSET). */
  private static Reply mget(CommandContext c, byte[][] a) {
    return Reply.bulkArray(c.getAll(Arrays.asList(a).subList(1, a.length)));
  }

  private static Reply mset(CommandContext c, byte[][] a) {
    if ((a.length - 1) % 2 != 0) {
      return Reply.error(RespErrors.wrongArity("mset"));
    }
    return durable(c.writes().putAllAsync(Arrays.asList(a).subList(1, a.length)), Reply.OK);
  }

  private static long delta(byte[] arg, boolean negate) {
    long d;
    try {
      d = Args.parseLong(arg);
    } catch (NumberFormatException e) {
      throw new CommandException(RespErrors.NOT_INTEGER);
    }
    if (negate) {
      if (d == Long.MIN_VALUE) {
        throw new CommandException(RespErrors.OVERFLOW);
      }
      d = -d;
    }
    return d;
  }

  private static Reply incrBy(CommandContext c, byte[] key, long delta) {
    return Reply.later(
        c.writes()
            .compute(
                key,
                cur -> {
                  long n;
                  try {
                    n = cur == null ? 0 : Args.parseLong(cur);
                  } catch (NumberFormatException e) {
                    throw new CommandException(RespErrors.NOT_INTEGER);
                  }
                  long result;
                  try {
                    result = Math.addExact(n, delta);
                  } catch (ArithmeticException e) {
                    throw new CommandException(RespErrors.OVERFLOW);
                  }
                  return Decision.put(Args.bytes(result), Reply.integer(result));
                }));
  }

  static Reply durable(java.util.concurrent.CompletableFuture<?> f, Reply reply) {
    return Reply.when(f, reply);
  }
}
