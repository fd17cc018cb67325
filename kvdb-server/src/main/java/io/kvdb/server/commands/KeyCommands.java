package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.ScanPage;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandHandler;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keyspace commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, SCAN, KEYS, DBSIZE, RANDOMKEY, FLUSHALL,
 * FLUSHDB; RENAME, RENAMENX, COPY and OBJECT are in {@link KeyMoveCommands}.
 */
public final class KeyCommands {
  private static final int MAX_SCAN_COUNT = 100_000;

  private static final String GROUP = "generic";

  private KeyCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("del")
            .group(GROUP)
            .arity(-2)
            .flags(WRITE)
            .keys(1, -1, 1)
            .summary("Deletes one or more keys.")
            .example("DEL temp_data")
            .args(key("key").asMultiple())
            .handler(KeyCommands::delete));
    r.add(
        CommandSpec.named("unlink")
            .group(GROUP)
            .arity(-2)
            .flags(WRITE, FAST)
            .keys(1, -1, 1)
            .summary("Asynchronously deletes one or more keys.")
            .example("UNLINK a b")
            .args(key("key").asMultiple())
            .handler(KeyCommands::delete)); // kvdb frees memory at once either way
    r.add(
        CommandSpec.named("touch")
            .group(GROUP)
            .arity(-2)
            .flags(READONLY, FAST)
            .keys(1, -1, 1)
            .summary(
                "Returns the number of existing keys out of those specified after updating the time they"
                    + " were last accessed.")
            .example("TOUCH a b")
            .args(key("key").asMultiple())
            .handler(KeyCommands::countExisting));
    r.add(
        CommandSpec.named("randomkey")
            .group(GROUP)
            .arity(1)
            .flags(READONLY)
            .summary("Returns a random key name from the database.")
            .handler((c, a) -> Reply.bulk(c.store().randomKey())));
    r.add(
        CommandSpec.named("exists")
            .group(GROUP)
            .arity(-2)
            .flags(READONLY, FAST)
            .keys(1, -1, 1)
            .summary("Determines whether one or more keys exist.")
            .example("EXISTS user:1")
            .args(key("key").asMultiple())
            .handler(KeyCommands::countExisting));
    r.add(
        CommandSpec.named("type")
            .group(GROUP)
            .arity(2)
            .flags(READONLY, FAST)
            .key(1)
            .summary("Determines the type of value stored at a key.")
            .example("TYPE user:1")
            .args(key("key"))
            .handler((c, a) -> Reply.simple(c.store().get(a[1]) == null ? "none" : "string")));
    r.add(
        CommandSpec.named("dbsize")
            .group(GROUP)
            .arity(1)
            .flags(READONLY, FAST)
            .summary("Returns the number of keys in the database.")
            .handler((c, a) -> Reply.integer(c.size())));
    r.add(
        CommandSpec.named("scan")
            .group(GROUP)
            .arity(-2)
            .flags(READONLY)
            .summary("Iterates over the key names in the database.")
            .example("SCAN 0 MATCH user:* COUNT 100")
            .args(
                ArgDoc.integer("cursor"),
                ArgDoc.tokenWith("MATCH", ArgDoc.string("pattern")).asOptional(),
                ArgDoc.tokenWith("COUNT", ArgDoc.integer("count")).asOptional(),
                ArgDoc.tokenWith("TYPE", ArgDoc.string("type")).asOptional())
            .handler(KeyCommands::scan));
    r.add(
        CommandSpec.named("keys")
            .group(GROUP)
            .arity(2)
            .flags(READONLY)
            .summary("Returns all key names that match a pattern.")
            .example("KEYS user:*")
            .args(ArgDoc.string("pattern"))
            .handler(KeyCommands::keys));
    CommandHandler flush =
        (c, a) -> {
          if (a.length > 2
              || (a.length == 2 && !Args.is(a[1], "sync") && !Args.is(a[1], "async"))) {
            return Reply.error(RespErrors.SYNTAX);
          }
          return StringCommands.durable(c.writes().clearAsync(), Reply.OK);
        };
    List<ArgDoc> flushArgs =
        List.of(
            ArgDoc.oneOf("flush-type", ArgDoc.token("ASYNC"), ArgDoc.token("SYNC")).asOptional());
    r.add(
        CommandSpec.named("flushall")
            .group(GROUP)
            .arity(-1)
            .flags(WRITE)
            .summary("Removes all keys from all databases.")
            .args(flushArgs)
            .handler(flush));
    r.add(
        CommandSpec.named("flushdb")
            .group(GROUP)
            .arity(-1)
            .flags(WRITE)
            .summary("Remove all keys from the current database.")
            .args(flushArgs)
            .handler(flush));
  }

  /** EXISTS and TOUCH: how many of the arguments exist (a key named twice counts twice). */
  private static Reply countExisting(CommandContext c, byte[][] a) {
    long n = 0;
    for (int i = 1; i < a.length; i++) {
      n += c.store().get(a[i]) != null ? 1 : 0;
    }
    return Reply.integer(n);
  }

  /** DEL and UNLINK: one atomic removal, one log record; counts the keys that existed. */
  private static Reply delete(CommandContext c, byte[][] a) {
    var f = c.writes().deleteAllAsync(Arrays.asList(a).subList(1, a.length));
    return Reply.later(f.thenApply(n -> Reply.integer(n)));
  }

  private static Reply scan(CommandContext c, byte[][] a) {
    long cursor;
    try {
      cursor = Long.parseUnsignedLong(Args.text(a[1]));
    } catch (NumberFormatException e) {
      return Reply.error(RespErrors.INVALID_CURSOR);
    }
    byte[] pattern = null;
    long count = 10;
    boolean stringsOnly = true;
    for (int i = 2; i < a.length; i++) {
      String opt = Args.lower(a[i]);
      if (i + 1 >= a.length) {
        return Reply.error(RespErrors.SYNTAX);
      }
      switch (opt) {
        case "match" -> pattern = a[++i];
        case "count" -> {
          try {
            count = Args.parseLong(a[++i]);
          } catch (NumberFormatException e) {
            return Reply.error(RespErrors.NOT_INTEGER);
          }
          if (count < 1) {
            return Reply.error(RespErrors.SYNTAX);
          }
        }
        case "type" -> stringsOnly = Args.is(a[++i], "string");
        default -> {
          return Reply.error(RespErrors.SYNTAX);
        }
      }
    }
    if (cursor < 0) {
      return Reply.error(RespErrors.INVALID_CURSOR);
    }
    if (pattern != null && Glob.matchesEverything(pattern)) {
      pattern = null;
    }
    ScanPage page;
    try {
      page = c.scan(cursor, (int) Math.min(count, MAX_SCAN_COUNT));
    } catch (IllegalArgumentException e) {
      return Reply.error(RespErrors.INVALID_CURSOR);
    }
    List<byte[]> keys = new ArrayList<>(page.keys().size());
    if (stringsOnly) {
      for (byte[] k : page.keys()) {
        if (pattern == null || Glob.matches(pattern, k)) {
          keys.add(k);
        }
      }
    }
    return Reply.array(
        List.of(Reply.bulk(Long.toUnsignedString(page.cursor())), Reply.bulkArray(keys)));
  }

  private static Reply keys(CommandContext c, byte[][] a) {
    // A shard rebuilt during the walk is visited again: drop the duplicates that causes.
    Set<ByteBuffer> seen = new HashSet<>();
    List<byte[]> keys = new ArrayList<>();
    boolean all = Glob.matchesEverything(a[1]);
    long cursor = 0;
    do {
      ScanPage page = c.scan(cursor, 10_000);
      for (byte[] k : page.keys()) {
        if ((all || Glob.matches(a[1], k)) && seen.add(ByteBuffer.wrap(k))) {
          keys.add(k);
        }
      }
      cursor = page.cursor();
    } while (cursor != 0);
    return Reply.bulkArray(keys);
  }
}
