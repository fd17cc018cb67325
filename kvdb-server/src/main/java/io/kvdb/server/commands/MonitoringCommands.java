package io.kvdb.server.commands;

import static io.kvdb.server.command.CommandFlag.ADMIN;

import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import io.kvdb.server.stats.LatencyMonitor;
import io.kvdb.server.stats.SlowLog;
import java.util.ArrayList;
import java.util.List;

/**
 * SLOWLOG GET [count] | LEN | RESET | HELP and LATENCY LATEST | HISTORY event | RESET [event ...] |
 * HELP, as Redis 7.0 answers them.
 */
public final class MonitoringCommands {
  private MonitoringCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("slowlog")
            .group("server")
            .arity(-2)
            .flags(ADMIN)
            .summary(
                "SLOWLOG GET [count] | LEN | RESET | HELP: commands slower than slowlog-log-slower-than.")
            .keywords("GET", "LEN", "RESET", "HELP")
            .example("SLOWLOG GET 10")
            .args(ArgDoc.string("subcommand"), ArgDoc.string("argument").asOptional())
            .handler(MonitoringCommands::slowlog));
    r.add(
        CommandSpec.named("latency")
            .group("server")
            .arity(-2)
            .flags(ADMIN)
            .summary(
                "LATENCY LATEST | HISTORY event | RESET [event ...] | HELP: latency spikes over"
                    + " latency-monitor-threshold ms (events command, fast-command, wal-fsync).")
            .keywords("LATEST", "HISTORY", "RESET", "HELP")
            .example("LATENCY LATEST")
            .args(ArgDoc.string("subcommand"), ArgDoc.string("argument").asOptional())
            .handler(MonitoringCommands::latency));
  }

  private static Reply latency(CommandContext c, byte[][] a) {
    LatencyMonitor m = c.server().latency();
    String sub = Args.lower(a[1]);
    switch (sub) {
      case "latest" -> {
        return a.length == 2
            ? Reply.array(
                m.latest().stream()
                    .map(
                        l ->
                            Reply.array(
                                List.of(
                                    Reply.bulk(l.event()),
                                    Reply.integer(l.unixSeconds()),
                                    Reply.integer(l.millis()),
                                    Reply.integer(l.maxMillis()))))
                    .toList())
            : Reply.error(RespErrors.wrongArity("latency|latest"));
      }
      case "history" -> {
        return a.length == 3
            ? Reply.array(
                m.history(Args.text(a[2])).stream()
                    .map(
                        x ->
                            Reply.array(
                                List.of(Reply.integer(x.unixSeconds()), Reply.integer(x.millis()))))
                    .toList())
            : Reply.error(RespErrors.wrongArity("latency|history"));
      }
      case "reset" -> {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < a.length; i++) {
          names.add(Args.text(a[i]));
        }
        return Reply.integer(m.reset(names));
      }
      case "help" -> {
        return Reply.array(
            List.of(
                Reply.simple("LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
                Reply.simple("HISTORY <event>"),
                Reply.simple("    Return time-latency samples for the <event> class."),
                Reply.simple("LATEST"),
                Reply.simple("    Return the latest latency samples for all events."),
                Reply.simple("RESET [<event> ...]"),
                Reply.simple("    Reset latency data of one or more <event> classes."),
                Reply.simple("    (default: reset all data for all event classes)"),
                Reply.simple("HELP"),
                Reply.simple("    Prints this help.")));
      }
      default -> {
        return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "latency"));
      }
    }
  }

  private static Reply slowlog(CommandContext c, byte[][] a) {
    SlowLog log = c.server().slowLog();
    String sub = Args.lower(a[1]);
    switch (sub) {
      case "get" -> {
        if (a.length > 3) {
          return Reply.error(RespErrors.subcommandSyntax(Args.text(a[1]), "slowlog"));
        }
        long count = 10;
        if (a.length == 3) {
          try {
            count = Args.parseLong(a[2]);
          } catch (NumberFormatException e) {
            count = Long.MIN_VALUE;
          }
          if (count < -1) {
            return Reply.error("ERR count should be greater than or equal to -1");
          }
        }
        List<Reply> out = new ArrayList<>();
        for (SlowLog.Entry e : log.newest(count)) {
          out.add(
              Reply.array(
                  List.of(
                      Reply.integer(e.id()),
                      Reply.integer(e.unixSeconds()),
                      Reply.integer(e.micros()),
                      Reply.bulkArray(e.args()),
                      Reply.bulk(e.addr()),
                      Reply.bulk(e.name()))));
        }
        return Reply.array(out);
      }
      case "len" -> {
        return a.length == 2
            ? Reply.integer(log.length())
            : Reply.error(RespErrors.wrongArity("slowlog|len"));
      }
      case "reset" -> {
        if (a.length != 2) {
          return Reply.error(RespErrors.wrongArity("slowlog|reset"));
        }
        log.reset();
        return Reply.OK;
      }
      case "help" -> {
        return Reply.array(
            List.of(
                Reply.simple("SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
                Reply.simple("GET [<count>]"),
                Reply.simple(
                    "    Return top <count> entries from the slowlog (default: 10, -1 mean all)."),
                Reply.simple("    Entries are made of:"),
                Reply.simple(
                    "    id, timestamp, time in microseconds, arguments array, client IP and port,"),
                Reply.simple("    client name"),
                Reply.simple("LEN"),
                Reply.simple("    Return the length of the slowlog."),
                Reply.simple("RESET"),
                Reply.simple("    Reset the slowlog."),
                Reply.simple("HELP"),
                Reply.simple("    Prints this help.")));
      }
      default -> {
        return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "slowlog"));
      }
    }
  }
}
