package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.KvStore;
import io.kvdb.core.Ttl;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.util.Arrays;
import java.util.List;

/**
 * Commands that move or copy a key with its expiry — RENAME, RENAMENX, COPY, each one atomic
 * operation logged as one record — and OBJECT, which describes one.
 */
public final class KeyMoveCommands {
  private static final String GROUP = "generic";

  private KeyMoveCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("rename")
            .group(GROUP)
            .arity(3)
            .flags(WRITE)
            .keys(1, 2, 1)
            .summary("Renames a key and overwrites the destination.")
            .example("RENAME old new")
            .args(key("key"), key("newkey"))
            .handler((c, a) -> rename(c, a, false)));
    r.add(
        CommandSpec.named("renamenx")
            .group(GROUP)
            .arity(3)
            .flags(WRITE, FAST)
            .keys(1, 2, 1)
            .summary("Renames a key only when the target key name doesn't exist.")
            .example("RENAMENX old new")
            .args(key("key"), key("newkey"))
            .handler((c, a) -> rename(c, a, true)));
    r.add(
        CommandSpec.named("copy")
            .group(GROUP)
            .arity(-3)
            .flags(WRITE)
            .keys(1, 2, 1)
            .summary("Copies the value of a key to a new key.")
            .example("COPY a b REPLACE")
            .args(
                key("source"),
                key("destination"),
                ArgDoc.tokenWith("DB", ArgDoc.integer("destination-db")).asOptional(),
                ArgDoc.token("REPLACE").asOptional())
            .handler(KeyMoveCommands::copy));
    r.add(
        CommandSpec.named("object")
            .group(GROUP)
            .arity(-2)
            .flags(READONLY)
            .key(2)
            .summary(
                "A container for object introspection commands: OBJECT ENCODING|FREQ|IDLETIME|HELP.")
            .keywords("ENCODING", "FREQ", "IDLETIME", "HELP")
            .example("OBJECT ENCODING counter")
            .args(ArgDoc.string("subcommand"), key("key").asOptional())
            .handler(KeyMoveCommands::object));
  }

  private static Reply rename(CommandContext c, byte[][] a, boolean nx) {
    byte[] from = a[1];
    byte[] to = a[2];
    boolean same = Arrays.equals(from, to);
    return Reply.later(
        StringCommands.atomically(
            c,
            List.of(from, to),
            v -> {
              Ttl ttl = v.ttl(from);
              if (!ttl.exists()) {
                return Reply.error(RespErrors.NO_SUCH_KEY);
              }
              if (same) {
                return nx ? Reply.ZERO : Reply.OK;
              }
              if (nx && v.get(to) != null) {
                return Reply.ZERO;
              }
              byte[] value = v.get(from);
              v.putAsync(to, value, ttl.expireAtMillis());
              v.delete(from);
              return nx ? Reply.ONE : Reply.OK;
            }));
  }

  private static Reply copy(CommandContext c, byte[][] a) {
    boolean replace = false;
    for (int j = 3; j < a.length; j++) {
      if (Args.isWord(a[j], "replace")) {
        replace = true;
      } else if (Args.isWord(a[j], "db") && j + 1 < a.length) {
        long db = Args.integer(a[++j]);
        if (db != 0) {
          return Reply.error(RespErrors.DB_INDEX); // kvdb has one database
        }
      } else {
        return Reply.error(RespErrors.SYNTAX);
      }
    }
    byte[] from = a[1];
    byte[] to = a[2];
    if (Arrays.equals(from, to)) {
      return Reply.error(RespErrors.SAME_OBJECT);
    }
    boolean overwrite = replace;
    return Reply.later(
        StringCommands.atomically(
            c,
            List.of(from, to),
            v -> {
              Ttl ttl = v.ttl(from);
              if (!ttl.exists()) {
                return Reply.ZERO;
              }
              if (!overwrite && v.get(to) != null) {
                return Reply.ZERO;
              }
              v.putAsync(to, v.get(from), ttl.expireAtMillis());
              return Reply.ONE;
            }));
  }

  private static Reply object(CommandContext c, byte[][] a) {
    String sub = Args.lower(a[1]);
    switch (sub) {
      case "help" -> {
        return Reply.array(
            List.of(
                Reply.simple("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
                Reply.simple("ENCODING <key>"),
                Reply.simple(
                    "    Return the kind of internal representation used in order to store the value"),
                Reply.simple("    associated with a <key>."),
                Reply.simple("FREQ <key>"),
                Reply.simple(
                    "    Return the access logarithmic access frequency counter of a <key>."),
                Reply.simple("IDLETIME <key>"),
                Reply.simple(
                    "    Return the idle time of a <key>, that is the approximated number of"),
                Reply.simple("    seconds elapsed since the last access to the key."),
                Reply.simple("HELP"),
                Reply.simple("    Print this help.")));
      }
      case "encoding", "freq", "idletime" -> {
        if (a.length != 3) {
          return Reply.error(RespErrors.wrongArity("object|" + sub));
        }
        KvStore s = c.store();
        byte[] v = s.get(a[2]);
        if (v == null) {
          return Reply.NULL_BULK;
        }
        return switch (sub) {
          case "encoding" -> Reply.bulk(encoding(v));
          case "freq" -> Reply.error(RespErrors.NO_LFU);
          default -> Reply.error(RespErrors.NO_IDLE_TIME);
        };
      }
      default -> {
        return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "object"));
      }
    }
  }

  /**
   * The encoding Redis would report for a value SET as it is: "int" for a 64-bit integer in
   * canonical form, "embstr" up to 44 bytes, else "raw". kvdb stores every value the same way; this
   * answers what clients that inspect it expect (a value Redis built by APPEND or SETRANGE reports
   * "raw" there, whatever its length).
   */
  static String encoding(byte[] v) {
    if (v.length <= 20) {
      try {
        Args.parseLong(v);
        return "int";
      } catch (NumberFormatException e) {
        // not an integer
      }
    }
    return v.length <= 44 ? "embstr" : "raw";
  }
}
