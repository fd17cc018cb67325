package io.kvdb.server.commands;

import static io.kvdb.server.command.CommandFlag.ADMIN;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.NO_AUTH;

import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandFlag;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Server commands: PING, ECHO, INFO, COMMAND, CONFIG GET/SET, TIME, LASTSAVE, SAVE, BGSAVE,
 * MONITOR.
 */
public final class ServerCommands {
  private ServerCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.keyless(
            "connection",
            "ping",
            -1,
            EnumSet.of(FAST, NO_AUTH),
            "Returns the server's liveliness response.",
            List.of(ArgDoc.string("message").asOptional()),
            (c, a) ->
                switch (a.length) {
                  case 1 -> Reply.PONG;
                  case 2 -> Reply.bulk(a[1]);
                  default -> Reply.error(RespErrors.wrongArity("ping"));
                }));
    r.add(
        CommandSpec.keyless(
            "connection",
            "echo",
            2,
            EnumSet.of(FAST),
            "Returns the given string.",
            List.of(ArgDoc.string("message")),
            (c, a) -> Reply.bulk(a[1])));
    r.add(
        CommandSpec.keyless(
            "server",
            "info",
            -1,
            EnumSet.noneOf(CommandFlag.class),
            "Returns information and statistics about the server.",
            List.of(ArgDoc.string("section").asOptional().asMultiple()),
            InfoCommand::info));
    r.add(
        CommandSpec.keyless(
            "server",
            "command",
            -1,
            EnumSet.noneOf(CommandFlag.class),
            "Returns detailed information about all commands.",
            List.of(),
            ServerCommands::command));
    r.add(
        CommandSpec.keyless(
            "server",
            "config",
            -2,
            EnumSet.of(ADMIN),
            "CONFIG GET returns the effective values of configuration parameters; CONFIG SET changes"
                + " those that can change while the server runs.",
            List.of(
                ArgDoc.oneOf("subcommand", ArgDoc.token("GET"), ArgDoc.token("SET")),
                ArgDoc.string("parameter").asMultiple()),
            ConfigCommand::config));
    r.add(
        CommandSpec.keyless(
            "server",
            "time",
            1,
            EnumSet.of(FAST),
            "Returns the server time.",
            List.of(),
            (c, a) -> {
              Instant now = c.store().clock().instant(); // microseconds on Linux
              return Reply.array(
                  List.of(
                      Reply.bulk(Long.toString(now.getEpochSecond())),
                      Reply.bulk(Long.toString(now.getNano() / 1000))));
            }));
    r.add(
        CommandSpec.keyless(
            "server",
            "lastsave",
            1,
            EnumSet.of(FAST),
            "Returns the Unix timestamp of the last successful save to disk (a WAL snapshot).",
            List.of(),
            (c, a) -> Reply.integer(c.server().lastSaveMillis() / 1000)));
    r.add(
        CommandSpec.keyless(
            "server",
            "save",
            1,
            EnumSet.of(ADMIN, CommandFlag.NO_MULTI),
            "Writes a snapshot of the dataset to the WAL directory and compacts the log; replies"
                + " when it is on disk.",
            List.of(),
            (c, a) -> {
              var wal = c.server().wal();
              if (wal == null) {
                return Reply.error(RespErrors.NOTHING_TO_SAVE);
              }
              if (wal.snapshotInProgress()) {
                return Reply.error(RespErrors.BGSAVE_IN_PROGRESS);
              }
              return Reply.later(wal.snapshot().thenApply(lsn -> Reply.OK));
            }));
    r.add(
        CommandSpec.keyless(
            "server",
            "bgsave",
            -1,
            EnumSet.of(ADMIN),
            "Writes a snapshot of the dataset in the background.",
            List.of(ArgDoc.token("SCHEDULE").asOptional()),
            (c, a) -> {
              if (a.length > 2 || (a.length == 2 && !Args.is(a[1], "schedule"))) {
                return Reply.error(RespErrors.SYNTAX);
              }
              var wal = c.server().wal();
              if (wal == null) {
                return Reply.error(RespErrors.NOTHING_TO_SAVE);
              }
              if (wal.snapshotInProgress()) {
                return a.length == 2
                    ? Reply.simple("Background saving scheduled")
                    : Reply.error(RespErrors.BGSAVE_IN_PROGRESS);
              }
              wal.snapshot(); // failures are logged by the log
              return Reply.simple("Background saving started");
            }));
    r.add(
        CommandSpec.keyless(
            "server",
            "shutdown",
            -1,
            EnumSet.of(ADMIN, CommandFlag.NO_MULTI),
            "Shuts the server down gracefully: replies in flight are sent, the log is flushed and"
                + " fsynced, the process exits 0. SAVE takes a WAL snapshot first.",
            List.of(
                ArgDoc.oneOf("save-selector", ArgDoc.token("NOSAVE"), ArgDoc.token("SAVE"))
                    .asOptional(),
                ArgDoc.token("NOW").asOptional(),
                ArgDoc.token("FORCE").asOptional(),
                ArgDoc.token("ABORT").asOptional()),
            ServerCommands::shutdown));
    r.add(
        CommandSpec.keyless(
            "server",
            "monitor",
            1,
            EnumSet.of(ADMIN),
            "Listens for all requests received by the server in real-time.",
            List.of(),
            (c, a) -> {
              var push = c.push();
              c.server().monitors().add(c.connection(), line -> push.accept(Reply.simple(line)));
              return Reply.OK;
            }));
  }

  /**
   * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT], as Redis parses it. kvdb's shutdown is always
   * graceful and its log already holds every acknowledged write, so NOW and FORCE change nothing
   * and there is never a shutdown in progress to ABORT; SAVE also takes a WAL snapshot first.
   */
  private static Reply shutdown(CommandContext c, byte[][] a) {
    boolean save = false;
    boolean noSave = false;
    boolean abort = false;
    for (int i = 1; i < a.length; i++) {
      switch (Args.lower(a[i])) {
        case "nosave" -> noSave = true;
        case "save" -> save = true;
        case "now", "force" -> {}
        case "abort" -> abort = true;
        default -> {
          return Reply.error(RespErrors.SYNTAX);
        }
      }
    }
    if ((save && noSave) || (abort && a.length > 2)) {
      return Reply.error(RespErrors.SYNTAX);
    }
    if (abort) {
      return Reply.error("ERR No shutdown in progress.");
    }
    var wal = c.server().wal();
    if (save && wal != null) {
      wal.snapshot().whenComplete((lsn, e) -> c.server().requestShutdown());
    } else {
      c.server().requestShutdown();
    }
    return Reply.NONE;
  }

  private static Reply command(CommandContext c, byte[][] a) {
    CommandRegistry reg = c.server().registry();
    if (a.length == 1) {
      return Reply.array(reg.all().stream().map(ServerCommands::info).toList());
    }
    String sub = Args.lower(a[1]);
    switch (sub) {
      case "count" -> {
        return Reply.integer(reg.all().size());
      }
      case "info" -> {
        List<Reply> out = new ArrayList<>();
        if (a.length == 2) {
          reg.all().forEach(s -> out.add(info(s)));
        }
        for (int i = 2; i < a.length; i++) {
          CommandSpec s = reg.lookup(Args.text(a[i]));
          out.add(s == null ? Reply.NULL_ARRAY : info(s));
        }
        return Reply.array(out);
      }
      case "docs" -> {
        List<Reply> out = new ArrayList<>();
        List<CommandSpec> specs = new ArrayList<>();
        if (a.length == 2) {
          specs.addAll(reg.all());
        }
        for (int i = 2; i < a.length; i++) {
          CommandSpec s = reg.lookup(Args.text(a[i]));
          if (s != null) {
            specs.add(s);
          }
        }
        for (CommandSpec s : specs) {
          out.add(Reply.bulk(s.name()));
          out.add(docs(s));
        }
        return Reply.array(out);
      }
      case "list" -> {
        return Reply.array(reg.all().stream().map(s -> Reply.bulk(s.name())).toList());
      }
      default -> {
        return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "command"));
      }
    }
  }

  /** COMMAND INFO's 10-element entry (Redis 7). */
  private static Reply info(CommandSpec s) {
    List<Reply> flags = new ArrayList<>();
    for (CommandFlag f : s.flags()) {
      if (f.redisName() == null) {
        continue;
      }
      flags.add(Reply.simple(f.redisName()));
    }
    return Reply.array(
        List.of(
            Reply.bulk(s.name()),
            Reply.integer(s.arity()),
            Reply.array(flags),
            Reply.integer(s.firstKey()),
            Reply.integer(s.lastKey()),
            Reply.integer(s.step()),
            Reply.EMPTY_ARRAY,
            Reply.EMPTY_ARRAY,
            Reply.EMPTY_ARRAY,
            Reply.EMPTY_ARRAY));
  }

  /** COMMAND DOCS's map for one command, flattened for RESP2. */
  private static Reply docs(CommandSpec s) {
    List<Reply> m =
        new ArrayList<>(
            List.of(
                Reply.bulk("summary"), Reply.bulk(s.summary()),
                Reply.bulk("since"), Reply.bulk("1.0.0"),
                Reply.bulk("group"), Reply.bulk(s.group())));
    if (!s.args().isEmpty()) {
      m.add(Reply.bulk("arguments"));
      m.add(Reply.array(s.args().stream().map(ServerCommands::argDoc).toList()));
    }
    return Reply.array(m);
  }

  private static Reply argDoc(ArgDoc d) {
    List<Reply> m =
        new ArrayList<>(
            List.of(
                Reply.bulk("name"),
                Reply.bulk(d.name()),
                Reply.bulk("type"),
                Reply.bulk(d.type())));
    if (d.token() != null) {
      m.add(Reply.bulk("token"));
      m.add(Reply.bulk(d.token()));
    }
    List<Reply> flags = new ArrayList<>();
    if (d.optional()) {
      flags.add(Reply.simple("optional"));
    }
    if (d.multiple()) {
      flags.add(Reply.simple("multiple"));
    }
    if (!flags.isEmpty()) {
      m.add(Reply.bulk("flags"));
      m.add(Reply.array(flags));
    }
    if (!d.children().isEmpty()) {
      m.add(Reply.bulk("arguments"));
      m.add(Reply.array(d.children().stream().map(ServerCommands::argDoc).toList()));
    }
    return Reply.array(m);
  }
}
