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
import java.util.List;

/**
 * Server commands: PING, ECHO, INFO, COMMAND, CONFIG GET/SET, TIME, LASTSAVE, SAVE, BGSAVE,
 * MONITOR.
 */
public final class ServerCommands {
  private ServerCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("ping")
            .group("connection")
            .arity(-1)
            .flags(FAST, NO_AUTH)
            .summary("Returns the server's liveliness response.")
            .args(ArgDoc.string("message").asOptional())
            .handler(
                (c, a) ->
                    switch (a.length) {
                      case 1 -> Reply.PONG;
                      case 2 -> Reply.bulk(a[1]);
                      default -> Reply.error(RespErrors.wrongArity("ping"));
                    }));
    r.add(
        CommandSpec.named("echo")
            .group("connection")
            .arity(2)
            .flags(FAST)
            .summary("Returns the given string.")
            .example("ECHO hello")
            .args(ArgDoc.string("message"))
            .handler((c, a) -> Reply.bulk(a[1])));
    r.add(
        CommandSpec.named("info")
            .group("server")
            .arity(-1)
            .summary("Returns information and statistics about the server.")
            .keywords(
                "server",
                "clients",
                "memory",
                "persistence",
                "replication",
                "stats",
                "keyspace",
                "all")
            .example("INFO keyspace")
            .args(ArgDoc.string("section").asOptional().asMultiple())
            .handler(InfoCommand::info));
    r.add(
        CommandSpec.named("command")
            .group("server")
            .arity(-1)
            .summary("Returns detailed information about all commands.")
            .keywords("COUNT", "INFO", "DOCS", "LIST")
            .example("COMMAND DOCS get")
            .handler(ServerCommands::command));
    r.add(
        CommandSpec.named("config")
            .group("server")
            .arity(-2)
            .flags(ADMIN)
            .summary(
                "CONFIG GET returns the effective values of configuration parameters; CONFIG SET changes"
                    + " those that can change while the server runs.")
            .keywords("RESETSTAT")
            .example("CONFIG SET maxclients 5000")
            .args(
                ArgDoc.oneOf("subcommand", ArgDoc.token("GET"), ArgDoc.token("SET")),
                ArgDoc.string("parameter").asMultiple())
            .handler(ConfigCommand::config));
    r.add(
        CommandSpec.named("time")
            .group("server")
            .arity(1)
            .flags(FAST)
            .summary("Returns the server time.")
            .handler(
                (c, a) -> {
                  Instant now = c.store().clock().instant(); // microseconds on Linux
                  return Reply.array(
                      List.of(
                          Reply.bulk(Long.toString(now.getEpochSecond())),
                          Reply.bulk(Long.toString(now.getNano() / 1000))));
                }));
    r.add(
        CommandSpec.named("lastsave")
            .group("server")
            .arity(1)
            .flags(FAST)
            .summary(
                "Returns the Unix timestamp of the last successful save to disk (a WAL snapshot).")
            .handler((c, a) -> Reply.integer(c.server().lastSaveMillis() / 1000)));
    r.add(
        CommandSpec.named("save")
            .group("server")
            .arity(1)
            .flags(ADMIN, CommandFlag.NO_MULTI)
            .summary(
                "Writes a snapshot of the dataset to the WAL directory and compacts the log; replies"
                    + " when it is on disk.")
            .handler(
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
        CommandSpec.named("bgsave")
            .group("server")
            .arity(-1)
            .flags(ADMIN)
            .summary("Writes a snapshot of the dataset in the background.")
            .args(ArgDoc.token("SCHEDULE").asOptional())
            .handler(
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
        CommandSpec.named("shutdown")
            .group("server")
            .arity(-1)
            .flags(ADMIN, CommandFlag.NO_MULTI)
            .summary(
                "Shuts the server down gracefully: replies in flight are sent, the log is flushed and"
                    + " fsynced, the process exits 0. SAVE takes a WAL snapshot first.")
            .args(
                ArgDoc.oneOf("save-selector", ArgDoc.token("NOSAVE"), ArgDoc.token("SAVE"))
                    .asOptional(),
                ArgDoc.token("NOW").asOptional(),
                ArgDoc.token("FORCE").asOptional(),
                ArgDoc.token("ABORT").asOptional())
            .handler(ServerCommands::shutdown));
    r.add(
        CommandSpec.named("monitor")
            .group("server")
            .arity(1)
            .flags(ADMIN)
            .summary("Listens for all requests received by the server in real-time.")
            .handler(
                (c, a) -> {
                  var push = c.push();
                  c.server()
                      .monitors()
                      .add(c.connection(), line -> push.accept(Reply.simple(line)));
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
