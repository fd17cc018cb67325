package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.ArgDoc.string;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.core.KvStore;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * String commands: GET, SET (with every expiry option), SETNX, SETEX, PSETEX, GETEX, GETDEL,
 * GETSET, MGET, MSET, MSETNX, STRLEN. Writes reply when durable ({@link Reply#later}). Commands
 * that edit part of a value are in {@link StringEditCommands}, counters in {@link CounterCommands},
 * bit operations in {@link BitCommands}, LCS in {@link LcsCommand}.
 */
public final class StringCommands {
  private static final String GROUP = "string";

  private StringCommands() {}

  public static void register(CommandRegistry r) {
    ArgDoc expiry =
        ArgDoc.oneOf(
                "expiration",
                ArgDoc.tokenWith("EX", ArgDoc.integer("seconds")),
                ArgDoc.tokenWith("PX", ArgDoc.integer("milliseconds")),
                ArgDoc.tokenWith("EXAT", ArgDoc.integer("unix-time-seconds")),
                ArgDoc.tokenWith("PXAT", ArgDoc.integer("unix-time-milliseconds")),
                ArgDoc.token("KEEPTTL"))
            .asOptional();
    r.keyed(
        GROUP,
        "get",
        2,
        EnumSet.of(READONLY, FAST),
        1,
        1,
        1,
        "Returns the string value of a key.",
        List.of(key("key")),
        (c, a) -> Reply.bulk(c.get(a[1])));
    r.keyed(
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
            ArgDoc.token("GET").asOptional(),
            expiry),
        StringCommands::set);
    r.keyed(
        GROUP,
        "setnx",
        3,
        EnumSet.of(WRITE, FAST),
        1,
        1,
        1,
        "Set the string value of a key only when the key doesn't exist.",
        List.of(key("key"), string("value")),
        (c, a) -> {
          byte[] value = a[2];
          return Reply.later(
              c.writes()
                  .compute(
                      a[1],
                      cur ->
                          cur == null
                              ? Decision.put(value, Reply.ONE)
                              : Decision.keep(Reply.ZERO)));
        });
    r.keyed(
        GROUP,
        "setex",
        4,
        EnumSet.of(WRITE),
        1,
        1,
        1,
        "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
        List.of(key("key"), ArgDoc.integer("seconds"), string("value")),
        (c, a) -> setWithTtl(c, a, true, "setex"));
    r.keyed(
        GROUP,
        "psetex",
        4,
        EnumSet.of(WRITE),
        1,
        1,
        1,
        "Sets both string value and expiration time in milliseconds of a key. The key is created if"
            + " it doesn't exist.",
        List.of(key("key"), ArgDoc.integer("milliseconds"), string("value")),
        (c, a) -> setWithTtl(c, a, false, "psetex"));
    r.keyed(
        GROUP,
        "getex",
        -2,
        EnumSet.of(WRITE, FAST),
        1,
        1,
        1,
        "Returns the string value of a key after setting its expiration time.",
        List.of(
            key("key"),
            ArgDoc.oneOf(
                    "expiration",
                    ArgDoc.tokenWith("EX", ArgDoc.integer("seconds")),
                    ArgDoc.tokenWith("PX", ArgDoc.integer("milliseconds")),
                    ArgDoc.tokenWith("EXAT", ArgDoc.integer("unix-time-seconds")),
                    ArgDoc.tokenWith("PXAT", ArgDoc.integer("unix-time-milliseconds")),
                    ArgDoc.token("PERSIST"))
                .asOptional()),
        StringCommands::getex);
    r.keyed(
        GROUP,
        "getdel",
        2,
        EnumSet.of(WRITE, FAST),
        1,
        1,
        1,
        "Returns the string value of a key after deleting the key.",
        List.of(key("key")),
        (c, a) ->
            Reply.later(
                c.writes()
                    .compute(
                        a[1],
                        cur ->
                            cur == null
                                ? Decision.keep(Reply.NULL_BULK)
                                : Decision.delete(Reply.bulk(cur)))));
    r.keyed(
        GROUP,
        "getset",
        3,
        EnumSet.of(WRITE, FAST),
        1,
        1,
        1,
        "Returns the previous string value of a key after setting it to a new value.",
        List.of(key("key"), string("value")),
        (c, a) -> {
          byte[] value = a[2];
          return Reply.later(c.writes().compute(a[1], cur -> Decision.put(value, Reply.bulk(cur))));
        });
    r.keyed(
        GROUP,
        "mget",
        -2,
        EnumSet.of(READONLY, FAST),
        1,
        -1,
        1,
        "Atomically returns the string values of one or more keys.",
        List.of(key("key").asMultiple()),
        (c, a) -> Reply.bulkArray(c.getAll(Arrays.asList(a).subList(1, a.length))));
    r.keyed(
        GROUP,
        "mset",
        -3,
        EnumSet.of(WRITE),
        1,
        -1,
        2,
        "Atomically creates or modifies the string values of one or more keys.",
        List.of(ArgDoc.block("data", key("key"), string("value")).asMultiple()),
        (c, a) -> {
          if ((a.length - 1) % 2 != 0) {
            return Reply.error(RespErrors.wrongArity("mset"));
          }
          return durable(c.writes().putAllAsync(Arrays.asList(a).subList(1, a.length)), Reply.OK);
        });
    r.keyed(
        GROUP,
        "msetnx",
        -3,
        EnumSet.of(WRITE),
        1,
        -1,
        2,
        "Atomically modifies the string values of one or more keys only when all keys don't exist.",
        List.of(ArgDoc.block("data", key("key"), string("value")).asMultiple()),
        StringCommands::msetnx);
    r.keyed(
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
        });
  }

  private static Reply set(CommandContext c, byte[][] a) {
    ExpiryOptions o = ExpiryOptions.parse(a, 3, true, "set");
    byte[] value = a[2];
    long expiry = o.putExpiry(c.nowMillis());
    if (!o.nx() && !o.xx() && !o.get() && !o.keepTtl()) {
      // The common case, with or without EX/PX: one put, no read.
      KvStore w = c.writes();
      return durable(
          expiry == 0 ? w.putAsync(a[1], value) : w.putAsync(a[1], value, expiry), Reply.OK);
    }
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (cur, at) -> {
                  boolean write = !(o.nx() && cur != null) && !(o.xx() && cur == null);
                  Reply r = o.get() ? Reply.bulk(cur) : (write ? Reply.OK : Reply.NULL_BULK);
                  return write ? Decision.put(value, expiry, r) : Decision.keep(r);
                }));
  }

  private static Reply setWithTtl(CommandContext c, byte[][] a, boolean seconds, String name) {
    long at = ExpiryOptions.absolute(a[2], seconds, true, name, c.nowMillis());
    return durable(c.writes().putAsync(a[1], a[3], at), Reply.OK);
  }

  private static Reply getex(CommandContext c, byte[][] a) {
    ExpiryOptions o = ExpiryOptions.parse(a, 2, false, "getex");
    if (!o.hasExpiry() && !o.persist()) {
      return Reply.bulk(c.get(a[1])); // no option: a plain read, nothing logged
    }
    long now = c.nowMillis();
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (cur, current) -> {
                  if (cur == null) {
                    return Decision.keep(Reply.NULL_BULK); // before the expiry is checked
                  }
                  if (o.persist()) {
                    return current == 0
                        ? Decision.keep(Reply.bulk(cur))
                        : Decision.expire(0, Reply.bulk(cur));
                  }
                  return Decision.expire(o.expireAt(now), Reply.bulk(cur));
                }));
  }

  /** MSETNX: one atomic operation over every key, logged as one record when it sets them. */
  private static Reply msetnx(CommandContext c, byte[][] a) {
    if ((a.length - 1) % 2 != 0) {
      return Reply.error(RespErrors.wrongArity("msetnx"));
    }
    List<byte[]> keys = new ArrayList<>();
    for (int i = 1; i < a.length; i += 2) {
      keys.add(a[i]);
    }
    List<byte[]> pairs = Arrays.asList(a).subList(1, a.length);
    return Reply.later(
        atomically(
            c,
            keys,
            view -> {
              for (byte[] k : keys) {
                if (view.get(k) != null) {
                  return Reply.ZERO;
                }
              }
              view.putAllAsync(pairs);
              return Reply.ONE;
            }));
  }

  /**
   * Runs {@code work} atomically over {@code keys}: on the store, or, inside EXEC, directly on the
   * transaction's view (which is already atomic and holds those keys' locks).
   */
  static CompletableFuture<Reply> atomically(
      CommandContext c, List<byte[]> keys, Function<KvStore, Reply> work) {
    KvStore w = c.writes();
    if (c.inTransactionView()) {
      return CompletableFuture.completedFuture(work.apply(w));
    }
    return w.atomically(keys, work);
  }

  static Reply durable(CompletableFuture<?> f, Reply reply) {
    return Reply.when(f, reply);
  }
}
