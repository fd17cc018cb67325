package io.kvdb.server.commands;

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
import io.kvdb.server.connection.ConnectionState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/** Connection commands: AUTH, HELLO, SELECT, CLIENT, QUIT, RESET. */
public final class ConnectionCommands {
  private static final String GROUP = "connection";

  private ConnectionCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("auth")
            .group(GROUP)
            .arity(-2)
            .flags(FAST, NO_AUTH)
            .summary("Authenticates the connection.")
            .example("AUTH my-password")
            .args(ArgDoc.string("username").asOptional(), ArgDoc.string("password"))
            .handler(ConnectionCommands::auth));
    r.add(
        CommandSpec.named("hello")
            .group(GROUP)
            .arity(-1)
            .flags(FAST, NO_AUTH)
            .summary("Handshakes with the server.")
            .example("HELLO 2")
            .args(
                ArgDoc.block(
                        "arguments",
                        ArgDoc.integer("protover"),
                        ArgDoc.tokenWith("AUTH", ArgDoc.string("username password")).asOptional(),
                        ArgDoc.tokenWith("SETNAME", ArgDoc.string("clientname")).asOptional())
                    .asOptional())
            .handler(ConnectionCommands::hello));
    r.add(
        CommandSpec.named("select")
            .group(GROUP)
            .arity(2)
            .flags(FAST)
            .summary("Changes the selected database (only 0 exists).")
            .example("SELECT 0")
            .args(ArgDoc.integer("index"))
            .handler(
                (c, a) ->
                    Args.text(a[1]).equals("0") ? Reply.OK : Reply.error(RespErrors.DB_INDEX)));
    r.add(
        CommandSpec.named("client")
            .group(GROUP)
            .arity(-2)
            .summary("CLIENT ID, SETNAME, GETNAME, SETINFO, LIST, INFO, KILL, REPLY.")
            .keywords(
                "ID", "SETNAME", "GETNAME", "SETINFO", "LIST", "INFO", "KILL", "REPLY", "ON", "OFF",
                "SKIP")
            .example("CLIENT LIST")
            .args(ArgDoc.string("subcommand"), ArgDoc.string("argument").asOptional().asMultiple())
            .handler(ConnectionCommands::client));
    r.add(
        CommandSpec.named("quit")
            .group(GROUP)
            .arity(-1)
            .flags(FAST, NO_AUTH, CommandFlag.IMMEDIATE)
            .summary("Closes the connection.")
            .handler(
                (c, a) -> {
                  c.closeAfterReply();
                  return Reply.OK;
                }));
    r.add(
        CommandSpec.named("reset")
            .group(GROUP)
            .arity(1)
            .flags(FAST, NO_AUTH, CommandFlag.IMMEDIATE)
            .summary("Resets the connection.")
            .handler(ConnectionCommands::reset));
  }

  /**
   * RESET, as Redis: discards MULTI, forgets WATCHes, leaves MONITOR, turns replies back on, clears
   * the name, and deauthenticates when a password is required.
   */
  private static Reply reset(CommandContext c, byte[][] a) {
    ConnectionState conn = c.connection();
    conn.transaction().discard();
    c.server().connectionClosed(conn); // the same cleanup as a closed connection
    conn.replyMode("on");
    conn.name(null);
    conn.authenticated(c.server().runtime().password() == null);
    return Reply.simple("RESET");
  }

  private static Reply auth(CommandContext c, byte[][] a) {
    if (a.length > 3) {
      return Reply.error(RespErrors.SYNTAX);
    }
    String username = a.length == 3 ? Args.text(a[1]) : "default";
    return authenticate(c, username, a[a.length - 1]);
  }

  private static Reply authenticate(CommandContext c, String username, byte[] password) {
    String configured = c.server().runtime().password();
    if (configured == null) {
      return Reply.error(RespErrors.AUTH_NOT_CONFIGURED);
    }
    // Constant-time comparison: the reply time must not reveal how much of a guess was right.
    boolean ok =
        username.equals("default")
            && MessageDigest.isEqual(configured.getBytes(StandardCharsets.UTF_8), password);
    c.connection().authenticated(ok);
    return ok ? Reply.OK : Reply.error(RespErrors.WRONGPASS);
  }

  private static Reply hello(CommandContext c, byte[][] a) {
    if (a.length >= 2) {
      long version;
      try {
        version = Args.parseLong(a[1]);
      } catch (NumberFormatException e) {
        return Reply.error("ERR Protocol version is not an integer or out of range");
      }
      if (version != 2) {
        return Reply.error(RespErrors.NOPROTO);
      }
    }
    for (int i = 2; i < a.length; i++) {
      String opt = Args.lower(a[i]);
      if (opt.equals("auth") && i + 2 < a.length) {
        Reply r = authenticate(c, Args.text(a[i + 1]), a[i + 2]);
        if (r instanceof Reply.Error) {
          return r;
        }
        i += 2;
      } else if (opt.equals("setname") && i + 1 < a.length) {
        Reply r = setName(c, a[i + 1]);
        if (r instanceof Reply.Error) {
          return r;
        }
        i += 1;
      } else {
        return Reply.error(RespErrors.SYNTAX);
      }
    }
    if (!c.connection().authenticated()) {
      return Reply.error(RespErrors.NOAUTH);
    }
    return Reply.array(
        List.of(
            Reply.bulk("server"), Reply.bulk("kvdb"),
            Reply.bulk("version"), Reply.bulk(c.server().version()),
            Reply.bulk("proto"), Reply.integer(2),
            Reply.bulk("id"), Reply.integer(c.connection().id()),
            Reply.bulk("mode"), Reply.bulk("standalone"),
            Reply.bulk("role"), Reply.bulk(c.server().readOnlyReplica() ? "replica" : "master"),
            Reply.bulk("modules"), Reply.EMPTY_ARRAY));
  }

  /**
   * CLIENT KILL addr (the old form: +OK, or an error when nobody is there) and CLIENT KILL [ID id]
   * [ADDR ip:port] [LADDR ip:port] [USER name] [SKIPME yes|no] (the number killed; the caller is
   * skipped unless SKIPME no). A connection killed is closed by its own event loop; the caller, if
   * it is one, gets its reply first.
   */
  private static Reply kill(CommandContext c, byte[][] a) {
    if (a.length < 3) {
      return Reply.error(RespErrors.wrongArity("client|kill"));
    }
    boolean oldForm = a.length == 3;
    long id = 0;
    String addr = null;
    String laddr = null;
    String user = null;
    boolean skipMe = !oldForm;
    if (oldForm) {
      addr = Args.text(a[2]);
    } else {
      if ((a.length - 2) % 2 != 0) {
        return Reply.error(RespErrors.SYNTAX);
      }
      for (int i = 2; i < a.length; i += 2) {
        String v = Args.text(a[i + 1]);
        switch (Args.lower(a[i])) {
          case "id" -> {
            try {
              id = Args.parseLong(a[i + 1]);
            } catch (NumberFormatException e) {
              id = 0;
            }
            if (id <= 0) {
              return Reply.error("ERR client-id should be greater than 0");
            }
          }
          case "addr" -> addr = v;
          case "laddr" -> laddr = v;
          case "user" -> user = v;
          case "skipme" -> {
            if (v.equalsIgnoreCase("yes")) {
              skipMe = true;
            } else if (v.equalsIgnoreCase("no")) {
              skipMe = false;
            } else {
              return Reply.error(RespErrors.SYNTAX);
            }
          }
          default -> {
            return Reply.error(RespErrors.SYNTAX);
          }
        }
      }
    }
    long killed = 0;
    for (ConnectionState other : c.server().clients().all()) {
      boolean me = other.id() == c.connection().id();
      if ((id != 0 && other.id() != id)
          || (addr != null && !other.address().equals(addr))
          || (laddr != null && !other.localAddress().equals(laddr))
          || (user != null && !user.equals("default"))
          || (me && skipMe)) {
        continue;
      }
      if (me) {
        c.closeAfterReply();
      } else {
        other.kill();
      }
      killed++;
    }
    if (oldForm) {
      return killed == 0 ? Reply.error("ERR No such client") : Reply.OK;
    }
    return Reply.integer(killed);
  }

  private static Reply setName(CommandContext c, byte[] name) {
    for (byte b : name) {
      if (b <= ' ' || b > '~') {
        return Reply.error(RespErrors.CLIENT_NAME_SPACES);
      }
    }
    c.connection().name(name.length == 0 ? null : Args.text(name));
    return Reply.OK;
  }

  private static Reply client(CommandContext c, byte[][] a) {
    String sub = Args.lower(a[1]);
    switch (sub) {
      case "reply" -> {
        if (a.length != 3) {
          return Reply.error(RespErrors.wrongArity("client|reply"));
        }
        String mode = Args.lower(a[2]);
        if (!mode.equals("on") && !mode.equals("off") && !mode.equals("skip")) {
          return Reply.error(RespErrors.SYNTAX);
        }
        c.connection().replyMode(mode);
        return Reply.OK; // not sent for OFF and SKIP (the connection drops it)
      }
      case "id" -> {
        return a.length == 2
            ? Reply.integer(c.connection().id())
            : Reply.error(RespErrors.wrongArity("client|id"));
      }
      case "setname" -> {
        return a.length == 3
            ? setName(c, a[2])
            : Reply.error(RespErrors.wrongArity("client|setname"));
      }
      case "getname" -> {
        return a.length == 2
            ? Reply.bulk(c.connection().name())
            : Reply.error(RespErrors.wrongArity("client|getname"));
      }
      case "setinfo" -> {
        if (a.length != 4) {
          return Reply.error(RespErrors.wrongArity("client|setinfo"));
        }
        switch (Args.lower(a[2])) {
          case "lib-name" -> c.connection().libName(Args.text(a[3]));
          case "lib-ver" -> c.connection().libVersion(Args.text(a[3]));
          default -> {
            return Reply.error("ERR Unrecognized option '" + Args.text(a[2]) + "'");
          }
        }
        return Reply.OK;
      }
      case "list" -> {
        return Reply.bulk(
            String.join("\n", c.server().clients().describeAll(c.server().monitors())) + "\n");
      }
      case "info" -> {
        return a.length == 2
            ? Reply.bulk(c.connection().describe(c.server().monitors().has(c.connection())) + "\n")
            : Reply.error(RespErrors.wrongArity("client|info"));
      }
      case "kill" -> {
        return kill(c, a);
      }
      default -> {
        return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "client"));
      }
    }
  }
}
