package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.FAST;
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
import java.math.BigDecimal;

/**
 * Counters: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. Each logs its resulting value (never "+1"), so
 * the log stays idempotent, and keeps the key's expiry, as Redis does. INCRBYFLOAT computes in
 * Redis' 80-bit long double arithmetic ({@link LongDouble}) so its replies are Redis' digit for
 * digit.
 */
public final class CounterCommands {
  private static final String GROUP = "string";

  private CounterCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("incr")
            .group(GROUP)
            .arity(2)
            .flags(WRITE, FAST)
            .key(1)
            .summary(
                "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.")
            .example("INCR visits")
            .args(key("key"))
            .handler((c, a) -> incrBy(c, a[1], 1)));
    r.add(
        CommandSpec.named("decr")
            .group(GROUP)
            .arity(2)
            .flags(WRITE, FAST)
            .key(1)
            .summary(
                "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.")
            .example("DECR stock")
            .args(key("key"))
            .handler((c, a) -> incrBy(c, a[1], -1)));
    r.add(
        CommandSpec.named("incrby")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .key(1)
            .summary(
                "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.")
            .example("INCRBY visits 10")
            .args(key("key"), ArgDoc.integer("increment"))
            .handler((c, a) -> incrBy(c, a[1], delta(a[2], false))));
    r.add(
        CommandSpec.named("decrby")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .key(1)
            .summary(
                "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.")
            .example("DECRBY stock 5")
            .args(key("key"), ArgDoc.integer("decrement"))
            .handler((c, a) -> incrBy(c, a[1], delta(a[2], true))));
    r.add(
        CommandSpec.named("incrbyfloat")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .key(1)
            .summary(
                "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.")
            .example("INCRBYFLOAT price 0.1")
            .args(key("key"), ArgDoc.string("increment"))
            .handler(CounterCommands::incrByFloat));
  }

  private static long delta(byte[] arg, boolean negate) {
    long d = Args.integer(arg);
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
            .computeEntry(
                key,
                (cur, at) -> {
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
                  return Decision.put(Args.bytes(result), Decision.KEEP_TTL, Reply.integer(result));
                }));
  }

  private static Reply incrByFloat(CommandContext c, byte[][] a) {
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (cur, at) -> {
                  // Redis reads the key's value first, then the increment.
                  LongDouble.Value base =
                      cur == null ? LongDouble.round(BigDecimal.ZERO) : LongDouble.parse(cur);
                  if (base == null) {
                    throw new CommandException(RespErrors.NOT_FLOAT);
                  }
                  LongDouble.Value incr = LongDouble.parse(a[2]);
                  if (incr == null) {
                    throw new CommandException(RespErrors.NOT_FLOAT);
                  }
                  LongDouble.Value sum = LongDouble.add(base, incr);
                  if (!sum.finite()) {
                    throw new CommandException(RespErrors.INCR_NAN);
                  }
                  byte[] text = LongDouble.format(sum.value());
                  return Decision.put(text, Decision.KEEP_TTL, Reply.bulk(text));
                }));
  }
}
