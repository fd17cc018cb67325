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
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.util.ArrayList;
import java.util.Arrays;
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
    r.add(
        CommandSpec.named("get")
            .group(GROUP)
            .arity(2)
            .flags(READONLY, FAST)
            .key(1)
            .summary("Returns the string value of a key.")
            .example("GET user:1")
            .args(key("key"))
            .handler((c, a) -> Reply.bulk(c.get(a[1]))));
    r.add(
        CommandSpec.named("set")
            .group(GROUP)
            .arity(-3)
            .flags(WRITE)
            .key(1)
            .summary(
                "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.")
            .example("SET user:1 \"John Doe\"")
            .args(
                key("key"),
                string("value"),
                ArgDoc.oneOf("condition", ArgDoc.token("NX"), ArgDoc.token("XX")).asOptional(),
                ArgDoc.token("GET").asOptional(),
                expiry)
            .handler(StringCommands::set));
    r.add(
        CommandSpec.named("setnx")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .key(1)
            .summary("Set the string value of a key only when the key doesn't exist.")
            .example("SETNX lock 1")
            .args(key("key"), string("value"))
            .handler(
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
                }));
    r.add(
        CommandSpec.named("setex")
            .group(GROUP)
            .arity(4)
            .flags(WRITE)
            .key(1)
            .summary(
                "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.")
            .example("SETEX session:1 3600 data")
            .args(key("key"), ArgDoc.integer("seconds"), string("value"))
            .handler((c, a) -> setWithTtl(c, a, true, "setex")));
    r.add(
        CommandSpec.named("psetex")
            .group(GROUP)
            .arity(4)
            .flags(WRITE)
            .key(1)
            .summary(
                "Sets both string value and expiration time in milliseconds of a key. The key is created if"
                    + " it doesn't exist.")
            .example("PSETEX lock 500 me")
            .args(key("key"), ArgDoc.integer("milliseconds"), string("value"))
            .handler((c, a) -> setWithTtl(c, a, false, "psetex")));
    r.add(
        CommandSpec.named("getex")
            .group(GROUP)
            .arity(-2)
            .flags(WRITE, FAST)
            .key(1)
            .summary("Returns the string value of a key after setting its expiration time.")
            .example("GETEX session:1 EX 3600")
            .args(
                key("key"),
                ArgDoc.oneOf(
                        "expiration",
                        ArgDoc.tokenWith("EX", ArgDoc.integer("seconds")),
                        ArgDoc.tokenWith("PX", ArgDoc.integer("milliseconds")),
                        ArgDoc.tokenWith("EXAT", ArgDoc.integer("unix-time-seconds")),
                        ArgDoc.tokenWith("PXAT", ArgDoc.integer("unix-time-milliseconds")),
                        ArgDoc.token("PERSIST"))
                    .asOptional())
            .handler(StringCommands::getex));
    r.add(
        CommandSpec.named("getdel")
            .group(GROUP)
            .arity(2)
            .flags(WRITE, FAST)
            .key(1)
            .summary("Returns the string value of a key after deleting the key.")
            .example("GETDEL session:9")
            .args(key("key"))
            .handler(
                (c, a) ->
                    Reply.later(
                        c.writes()
                            .compute(
                                a[1],
                                cur ->
                                    cur == null
                                        ? Decision.keep(Reply.NULL_BULK)
                                        : Decision.delete(Reply.bulk(cur))))));
    r.add(
        CommandSpec.named("getset")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .key(1)
            .summary("Returns the previous string value of a key after setting it to a new value.")
            .example("GETSET counter 0")
            .args(key("key"), string("value"))
            .handler(
                (c, a) -> {
                  byte[] value = a[2];
                  return Reply.later(
                      c.writes().compute(a[1], cur -> Decision.put(value, Reply.bulk(cur))));
                }));
    r.add(
        CommandSpec.named("mget")
            .group(GROUP)
            .arity(-2)
            .flags(READONLY, FAST)
            .keys(1, -1, 1)
            .summary("Atomically returns the string values of one or more keys.")
            .example("MGET a b c")
            .args(key("key").asMultiple())
            .handler((c, a) -> Reply.bulkArray(c.getAll(Arrays.asList(a).subList(1, a.length)))));
    r.add(
        CommandSpec.named("mset")
            .group(GROUP)
            .arity(-3)
            .flags(WRITE)
            .keys(1, -1, 2)
            .summary("Atomically creates or modifies the string values of one or more keys.")
            .example("MSET a 1 b 2")
            .args(ArgDoc.block("data", key("key"), string("value")).asMultiple())
            .handler(
                (c, a) -> {
                  if ((a.length - 1) % 2 != 0) {
                    return Reply.error(RespErrors.wrongArity("mset"));
                  }
                  return durable(
                      c.writes().putAllAsync(Arrays.asList(a).subList(1, a.length)), Reply.OK);
                }));
    r.add(
        CommandSpec.named("msetnx")
            .group(GROUP)
            .arity(-3)
            .flags(WRITE)
            .keys(1, -1, 2)
            .summary(
                "Atomically modifies the string values of one or more keys only when all keys don't exist.")
            .example("MSETNX a 1 b 2")
            .args(ArgDoc.block("data", key("key"), string("value")).asMultiple())
            .handler(StringCommands::msetnx));
    r.add(
        CommandSpec.named("strlen")
            .group(GROUP)
            .arity(2)
            .flags(READONLY, FAST)
            .key(1)
            .summary("Returns the length of a string value.")
            .example("STRLEN user:1")
            .args(key("key"))
            .handler(
                (c, a) -> {
                  byte[] v = c.get(a[1]);
                  return Reply.integer(v == null ? 0 : v.length);
                }));
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
