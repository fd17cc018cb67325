package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.core.Ttl;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;

/**
 * Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL, PTTL, EXPIRETIME,
 * PEXPIRETIME, PERSIST — Redis 7.0's semantics, including that a time at or before now removes the
 * key (logged as a delete) and that a key without an expiry counts as expiring at infinity for GT
 * and LT. A TTL change is logged as an EXPIRE record (the absolute time, not the value).
 */
public final class ExpiryCommands {
  private static final String GROUP = "generic";

  private ExpiryCommands() {}

  public static void register(CommandRegistry r) {
    ArgDoc condition =
        ArgDoc.oneOf(
                "condition",
                ArgDoc.token("NX"),
                ArgDoc.token("XX"),
                ArgDoc.token("GT"),
                ArgDoc.token("LT"))
            .asOptional();
    expire(
        r,
        "expire",
        "seconds",
        true,
        false,
        "Sets the expiration time of a key in seconds.",
        condition);
    expire(
        r,
        "pexpire",
        "milliseconds",
        false,
        false,
        "Sets the expiration time of a key in milliseconds.",
        condition);
    expire(
        r,
        "expireat",
        "unix-time-seconds",
        true,
        true,
        "Sets the expiration time of a key to a Unix timestamp.",
        condition);
    expire(
        r,
        "pexpireat",
        "unix-time-milliseconds",
        false,
        true,
        "Sets the expiration time of a key to a Unix milliseconds timestamp.",
        condition);
    ttl(r, "ttl", "Returns the expiration time in seconds of a key.", false, false);
    ttl(r, "pttl", "Returns the expiration time in milliseconds of a key.", true, false);
    ttl(r, "expiretime", "Returns the expiration time of a key as a Unix timestamp.", false, true);
    ttl(
        r,
        "pexpiretime",
        "Returns the expiration time of a key as a Unix milliseconds timestamp.",
        true,
        true);
    r.add(
        CommandSpec.named("persist")
            .group(GROUP)
            .arity(2)
            .flags(WRITE, FAST)
            .key(1)
            .summary("Removes the expiration time of a key.")
            .example("PERSIST session:1")
            .args(key("key"))
            .handler(
                (c, a) ->
                    Reply.later(
                        c.writes()
                            .persistAsync(a[1])
                            .thenApply(removed -> removed ? Reply.ONE : Reply.ZERO))));
  }

  private static void expire(
      CommandRegistry r,
      String name,
      String unitArg,
      boolean seconds,
      boolean absolute,
      String summary,
      ArgDoc condition) {
    r.add(
        CommandSpec.named(name)
            .group(GROUP)
            .arity(-3)
            .flags(WRITE, FAST)
            .key(1)
            .summary(summary)
            .args(key("key"), ArgDoc.integer(unitArg), condition)
            .handler((c, a) -> expire(c, a, seconds, absolute)));
  }

  private static Reply expire(CommandContext c, byte[][] a, boolean seconds, boolean absolute) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    for (int j = 3; j < a.length; j++) {
      if (Args.isWord(a[j], "nx")) {
        nx = true;
      } else if (Args.isWord(a[j], "xx")) {
        xx = true;
      } else if (Args.isWord(a[j], "gt")) {
        gt = true;
      } else if (Args.isWord(a[j], "lt")) {
        lt = true;
      } else {
        return Reply.error(RespErrors.unsupportedOption(Args.text(a[j])));
      }
    }
    if (nx && (xx || gt || lt)) {
      return Reply.error(RespErrors.EXPIRE_NX_AND_OTHERS);
    }
    if (gt && lt) {
      return Reply.error(RespErrors.EXPIRE_GT_AND_LT);
    }
    String name = Args.lower(a[0]);
    long when = Args.integer(a[2]);
    if (seconds) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        return Reply.error(RespErrors.invalidExpireTime(name));
      }
      when *= 1000;
    }
    long now = c.nowMillis();
    long base = absolute ? 0 : now;
    if (when > Long.MAX_VALUE - base) {
      return Reply.error(RespErrors.invalidExpireTime(name));
    }
    long at = when + base;
    boolean onlyNew = nx;
    boolean onlyExisting = xx;
    boolean later = gt;
    boolean earlier = lt;
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (value, current) -> {
                  if (value == null
                      || (onlyNew && current != 0)
                      || (onlyExisting && current == 0)
                      || (later && (current == 0 || at <= current))
                      || (earlier && current != 0 && at >= current)) {
                    return Decision.keep(Reply.ZERO);
                  }
                  // Redis: a time at or before now removes the key at once.
                  return at <= now ? Decision.delete(Reply.ONE) : Decision.expire(at, Reply.ONE);
                }));
  }

  private static void ttl(
      CommandRegistry r, String name, String summary, boolean millis, boolean absolute) {
    r.add(
        CommandSpec.named(name)
            .group(GROUP)
            .arity(2)
            .flags(READONLY, FAST)
            .key(1)
            .summary(summary)
            .args(key("key"))
            .handler(
                (c, a) -> {
                  Ttl t = c.store().ttl(a[1]);
                  if (!t.exists()) {
                    return Reply.integer(-2);
                  }
                  if (!t.expires()) {
                    return Reply.integer(-1);
                  }
                  long v = absolute ? t.expireAtMillis() : t.expireAtMillis() - t.nowMillis();
                  v = Math.max(v, 0);
                  return Reply.integer(millis ? v : (v + 500) / 1000);
                }));
  }
}
