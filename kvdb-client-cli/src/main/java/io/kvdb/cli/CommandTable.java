package io.kvdb.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the CLI knows about commands, for HELP, usage lines, TAB completion and argument hints: a
 * built-in table, refined by the server's COMMAND DOCS when it answers. Terminal-free.
 */
public final class CommandTable {

  /**
   * One command.
   *
   * @param name upper-case name
   * @param args its arguments in usage syntax, one element per argument
   * @param summary one line
   * @param example a line to try
   * @param arity Redis' convention (N exact, -N at least N, words including the name); 0 unknown
   * @param tokens keywords it accepts (for completion)
   */
  public record Info(
      String name,
      List<String> args,
      String summary,
      String example,
      int arity,
      List<String> tokens) {
    public String usage() {
      return args.isEmpty() ? name : name + " " + String.join(" ", args);
    }

    /** Whether {@code words} words (including the name) fit the arity. */
    public boolean accepts(int words) {
      return arity == 0 || (arity > 0 ? words == arity : words >= -arity);
    }
  }

  private final Map<String, Info> commands = new TreeMap<>();

  public static CommandTable builtIn() {
    CommandTable t = new CommandTable();
    t.add("GET", 2, "Get the value of a key", "GET user:1", List.of(), "key");
    t.add(
        "SET",
        -3,
        "Set the value of a key",
        "SET user:1 \"John Doe\"",
        List.of("NX", "XX", "GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"),
        "key",
        "value",
        "[NX | XX]",
        "[GET]",
        "[EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]");
    t.add(
        "SETNX",
        3,
        "Set the value of a key only if it does not exist",
        "SETNX lock 1",
        List.of(),
        "key",
        "value");
    t.add(
        "GETDEL", 2, "Get the value of a key and delete it", "GETDEL session:9", List.of(), "key");
    t.add(
        "MGET", -2, "Get the values of several keys", "MGET a b c", List.of(), "key", "[key ...]");
    t.add(
        "MSET",
        -3,
        "Set several keys at once, atomically",
        "MSET a 1 b 2",
        List.of(),
        "key value",
        "[key value ...]");
    t.add(
        "INCR", 2, "Increment the integer value of a key by one", "INCR visits", List.of(), "key");
    t.add("DECR", 2, "Decrement the integer value of a key by one", "DECR stock", List.of(), "key");
    t.add(
        "INCRBY",
        3,
        "Increment the integer value of a key by a number",
        "INCRBY visits 10",
        List.of(),
        "key",
        "increment");
    t.add(
        "DECRBY",
        3,
        "Decrement the integer value of a key by a number",
        "DECRBY stock 5",
        List.of(),
        "key",
        "decrement");
    t.add("STRLEN", 2, "Get the length of the value of a key", "STRLEN user:1", List.of(), "key");
    t.add("DEL", -2, "Delete one or more keys", "DEL temp_data", List.of(), "key", "[key ...]");
    t.add(
        "EXISTS",
        -2,
        "Count how many of the keys exist",
        "EXISTS user:1",
        List.of(),
        "key",
        "[key ...]");
    t.add("TYPE", 2, "Get the type of a key's value", "TYPE user:1", List.of(), "key");
    t.add(
        "SCAN",
        -2,
        "Iterate over key names",
        "SCAN 0 MATCH user:* COUNT 100",
        List.of("MATCH", "COUNT", "TYPE"),
        "cursor",
        "[MATCH pattern]",
        "[COUNT count]",
        "[TYPE type]");
    t.add(
        "KEYS",
        2,
        "List the keys matching a pattern (slow on big databases)",
        "KEYS user:*",
        List.of(),
        "pattern");
    t.add("DBSIZE", 1, "Count the keys", "DBSIZE", List.of());
    t.add(
        "FLUSHALL", -1, "Delete every key", "FLUSHALL", List.of("ASYNC", "SYNC"), "[ASYNC | SYNC]");
    t.add("FLUSHDB", -1, "Delete every key", "FLUSHDB", List.of("ASYNC", "SYNC"), "[ASYNC | SYNC]");
    t.add("PING", -1, "Check the server is alive", "PING", List.of(), "[message]");
    t.add("ECHO", 2, "Return the message", "ECHO hello", List.of(), "message");
    t.add(
        "INFO",
        -1,
        "Server information and statistics",
        "INFO keyspace",
        List.of(
            "server",
            "clients",
            "memory",
            "persistence",
            "replication",
            "stats",
            "keyspace",
            "all"),
        "[section ...]");
    t.add(
        "COMMAND",
        -1,
        "Information about the server's commands",
        "COMMAND DOCS get",
        List.of("COUNT", "INFO", "DOCS", "LIST"),
        "[COUNT | INFO [name ...] | DOCS [name ...] | LIST]");
    t.add(
        "CONFIG",
        -2,
        "Read configuration parameters, or change those that can change at runtime",
        "CONFIG SET maxclients 5000",
        List.of("GET", "SET", "RESETSTAT"),
        "GET parameter [parameter ...] | SET parameter value [parameter value ...] | RESETSTAT");
    t.add(
        "HELLO",
        -1,
        "Handshake with the server",
        "HELLO 2",
        List.of("AUTH", "SETNAME"),
        "[protover [AUTH username password] [SETNAME clientname]]");
    t.add(
        "AUTH",
        -2,
        "Authenticate the connection",
        "AUTH my-password",
        List.of(),
        "[username]",
        "password");
    t.add("SELECT", 2, "Select the database (only 0)", "SELECT 0", List.of(), "index");
    t.add(
        "CLIENT",
        -2,
        "Connection commands: ID, SETNAME, GETNAME, SETINFO, LIST, REPLY ON | OFF | SKIP",
        "CLIENT LIST",
        List.of("ID", "SETNAME", "GETNAME", "SETINFO", "LIST", "REPLY", "ON", "OFF", "SKIP"),
        "subcommand",
        "[argument ...]");
    for (String name : List.of("REPLICAOF", "SLAVEOF")) {
      t.add(
          name,
          3,
          "Follow a master (host and its replication port), or become a master (NO ONE)",
          name + " 127.0.0.1 3333",
          List.of("NO", "ONE"),
          "host port | NO ONE");
    }
    t.add(
        "ROLE", 1, "Show the replication role, offset and slaves or link state", "ROLE", List.of());
    t.add(
        "WAIT",
        3,
        "Wait until this connection's writes reach N slaves, or the timeout (ms) passes",
        "WAIT 1 1000",
        List.of(),
        "numreplicas",
        "timeout");
    t.add(
        "WAITAOF",
        4,
        "Wait until this connection's writes are fsynced locally and on N slaves",
        "WAITAOF 1 1 1000",
        List.of(),
        "numlocal",
        "numreplicas",
        "timeout");
    t.add(
        "DEBUG",
        -2,
        "DEBUG DIGEST: a hash of the whole dataset, equal on equal data",
        "DEBUG DIGEST",
        List.of("DIGEST"),
        "DIGEST");
    t.add(
        "SETEX",
        4,
        "Set a key's value and its time to live in seconds",
        "SETEX session:1 3600 data",
        List.of(),
        "key",
        "seconds",
        "value");
    t.add(
        "PSETEX",
        4,
        "Set a key's value and its time to live in milliseconds",
        "PSETEX lock 500 me",
        List.of(),
        "key",
        "milliseconds",
        "value");
    t.add(
        "GETEX",
        -2,
        "Get a key's value and set or remove its expiry",
        "GETEX session:1 EX 3600",
        List.of("EX", "PX", "EXAT", "PXAT", "PERSIST"),
        "key",
        "[EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]");
    t.add(
        "GETSET",
        3,
        "Set a key's value and return the old one",
        "GETSET counter 0",
        List.of(),
        "key",
        "value");
    t.add(
        "MSETNX",
        -3,
        "Set several keys only if none of them exists, atomically",
        "MSETNX a 1 b 2",
        List.of(),
        "key value",
        "[key value ...]");
    t.add("APPEND", 3, "Append to a key's value", "APPEND log \"line\"", List.of(), "key", "value");
    t.add(
        "GETRANGE",
        4,
        "Get a substring of a key's value (negative offsets count from the end)",
        "GETRANGE greeting 0 4",
        List.of(),
        "key",
        "start",
        "end");
    t.add(
        "SUBSTR",
        4,
        "Get a substring of a key's value (old name of GETRANGE)",
        "SUBSTR greeting 0 4",
        List.of(),
        "key",
        "start",
        "end");
    t.add(
        "SETRANGE",
        4,
        "Overwrite part of a key's value at an offset",
        "SETRANGE greeting 6 Redis",
        List.of(),
        "key",
        "offset",
        "value");
    t.add(
        "INCRBYFLOAT",
        3,
        "Increment a key's value by a decimal number",
        "INCRBYFLOAT price 0.1",
        List.of(),
        "key",
        "increment");
    t.add(
        "LCS",
        -3,
        "Longest common subsequence of two keys' values",
        "LCS key1 key2 IDX",
        List.of("LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN"),
        "key1",
        "key2",
        "[LEN]",
        "[IDX]",
        "[MINMATCHLEN min-match-len]",
        "[WITHMATCHLEN]");
    t.add(
        "SETBIT",
        4,
        "Set or clear one bit of a key's value",
        "SETBIT flags 7 1",
        List.of(),
        "key",
        "offset",
        "value");
    t.add(
        "GETBIT", 3, "Get one bit of a key's value", "GETBIT flags 7", List.of(), "key", "offset");
    t.add(
        "BITCOUNT",
        -2,
        "Count the set bits of a key's value",
        "BITCOUNT flags 0 -1 BYTE",
        List.of("BYTE", "BIT"),
        "key",
        "[start end [BYTE | BIT]]");
    t.add(
        "BITPOS",
        -3,
        "Find the first set or clear bit of a key's value",
        "BITPOS flags 1",
        List.of("BYTE", "BIT"),
        "key",
        "bit",
        "[start [end [BYTE | BIT]]]");
    t.add(
        "EXPIRE",
        -3,
        "Set a key's time to live in seconds",
        "EXPIRE session:1 3600",
        List.of("NX", "XX", "GT", "LT"),
        "key",
        "seconds",
        "[NX | XX | GT | LT]");
    t.add(
        "PEXPIRE",
        -3,
        "Set a key's time to live in milliseconds",
        "PEXPIRE lock 500",
        List.of("NX", "XX", "GT", "LT"),
        "key",
        "milliseconds",
        "[NX | XX | GT | LT]");
    t.add(
        "EXPIREAT",
        -3,
        "Make a key expire at a Unix time in seconds",
        "EXPIREAT session:1 4102444800",
        List.of("NX", "XX", "GT", "LT"),
        "key",
        "unix-time-seconds",
        "[NX | XX | GT | LT]");
    t.add(
        "PEXPIREAT",
        -3,
        "Make a key expire at a Unix time in milliseconds",
        "PEXPIREAT session:1 4102444800000",
        List.of("NX", "XX", "GT", "LT"),
        "key",
        "unix-time-milliseconds",
        "[NX | XX | GT | LT]");
    t.add(
        "TTL",
        2,
        "Seconds a key has left (-1: no expiry, -2: no key)",
        "TTL session:1",
        List.of(),
        "key");
    t.add(
        "PTTL",
        2,
        "Milliseconds a key has left (-1: no expiry, -2: no key)",
        "PTTL session:1",
        List.of(),
        "key");
    t.add(
        "EXPIRETIME",
        2,
        "Unix time in seconds when a key expires",
        "EXPIRETIME session:1",
        List.of(),
        "key");
    t.add(
        "PEXPIRETIME",
        2,
        "Unix time in milliseconds when a key expires",
        "PEXPIRETIME session:1",
        List.of(),
        "key");
    t.add("PERSIST", 2, "Remove a key's expiry", "PERSIST session:1", List.of(), "key");
    t.add(
        "RENAME",
        3,
        "Rename a key (with its expiry), replacing the destination",
        "RENAME old new",
        List.of(),
        "key",
        "newkey");
    t.add(
        "RENAMENX",
        3,
        "Rename a key only if the new name is free",
        "RENAMENX old new",
        List.of(),
        "key",
        "newkey");
    t.add(
        "COPY",
        -3,
        "Copy a key's value and expiry to another key",
        "COPY a b REPLACE",
        List.of("DB", "REPLACE"),
        "source",
        "destination",
        "[DB destination-db]",
        "[REPLACE]");
    t.add("RANDOMKEY", 1, "Return a random key", "RANDOMKEY", List.of());
    t.add("UNLINK", -2, "Delete keys (as DEL)", "UNLINK a b", List.of(), "key", "[key ...]");
    t.add(
        "TOUCH",
        -2,
        "Count how many of the keys exist",
        "TOUCH a b",
        List.of(),
        "key",
        "[key ...]");
    t.add(
        "OBJECT",
        -2,
        "Inspect a key: OBJECT ENCODING | FREQ | IDLETIME key, OBJECT HELP",
        "OBJECT ENCODING counter",
        List.of("ENCODING", "FREQ", "IDLETIME", "HELP"),
        "subcommand",
        "[key]");
    t.add(
        "MULTI",
        1,
        "Start a transaction: later commands are queued until EXEC",
        "MULTI",
        List.of());
    t.add("EXEC", 1, "Run the queued commands as one atomic, logged unit", "EXEC", List.of());
    t.add("DISCARD", 1, "Drop the queued commands", "DISCARD", List.of());
    t.add(
        "WATCH",
        -2,
        "Make the next EXEC fail if any of these keys changes",
        "WATCH balance",
        List.of(),
        "key",
        "[key ...]");
    t.add("UNWATCH", 1, "Forget all watched keys", "UNWATCH", List.of());
    t.add("TIME", 1, "The server's time: seconds and microseconds", "TIME", List.of());
    t.add(
        "LASTSAVE",
        1,
        "Unix time of the last snapshot of the write-ahead log",
        "LASTSAVE",
        List.of());
    t.add("SAVE", 1, "Take a WAL snapshot now and wait for it", "SAVE", List.of());
    t.add(
        "BGSAVE",
        -1,
        "Take a WAL snapshot in the background",
        "BGSAVE",
        List.of("SCHEDULE"),
        "[SCHEDULE]");
    t.add("MONITOR", 1, "Stream every command the server runs", "MONITOR", List.of());
    t.add(
        "RESET",
        1,
        "Reset the connection: transaction, watches, MONITOR, CLIENT REPLY, name",
        "RESET",
        List.of());
    t.add(
        "LATENCY",
        -2,
        "Latency spikes over latency-monitor-threshold: LATENCY LATEST | HISTORY event | RESET | HELP",
        "LATENCY LATEST",
        List.of("LATEST", "HISTORY", "RESET", "HELP"),
        "subcommand",
        "[argument ...]");
    t.add(
        "SHUTDOWN",
        -1,
        "Stop the server gracefully (SAVE: take a WAL snapshot first); the connection closes",
        "SHUTDOWN",
        List.of("NOSAVE", "SAVE", "NOW", "FORCE", "ABORT"),
        "[NOSAVE | SAVE]",
        "[NOW]",
        "[FORCE]",
        "[ABORT]");
    t.add(
        "SLOWLOG",
        -2,
        "Commands slower than slowlog-log-slower-than: SLOWLOG GET [count] | LEN | RESET | HELP",
        "SLOWLOG GET 10",
        List.of("GET", "LEN", "RESET", "HELP"),
        "subcommand",
        "[argument]");
    t.add(
        "HELP", -1, "Show available commands, or help for one", "HELP SET", List.of(), "[command]");
    t.add("EXIT", 1, "Exit the client", "EXIT", List.of());
    t.add("QUIT", 1, "Exit the client", "QUIT", List.of());
    return t;
  }

  private void add(
      String name, int arity, String summary, String example, List<String> tokens, String... args) {
    commands.put(name, new Info(name, List.of(args), summary, example, arity, tokens));
  }

  public Info find(String name) {
    return commands.get(name.toUpperCase(Locale.ROOT));
  }

  public List<Info> all() {
    return List.copyOf(commands.values());
  }

  /**
   * Refines the table with a COMMAND DOCS reply: commands the built-in table lacks are added, and
   * argument syntax comes from the server.
   */
  public void mergeServerDocs(RespValue docs) {
    if (!(docs instanceof RespValue.Array a) || a.items() == null) {
      return;
    }
    List<RespValue> items = a.items();
    for (int i = 0; i + 1 < items.size(); i += 2) {
      String name = text(items.get(i)).toUpperCase(Locale.ROOT);
      Map<String, RespValue> doc = map(items.get(i + 1));
      String summary = doc.containsKey("summary") ? text(doc.get("summary")) : "";
      List<String> args = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      if (doc.get("arguments") instanceof RespValue.Array arr && arr.items() != null) {
        for (RespValue arg : arr.items()) {
          args.add(usage(map(arg), tokens));
        }
      }
      Info known = commands.get(name);
      if (name.equals("HELP") || name.equals("EXIT") || name.equals("QUIT")) {
        continue;
      }
      commands.put(
          name,
          new Info(
              name,
              args,
              summary.isEmpty() && known != null ? known.summary() : summary,
              known == null ? name : known.example(),
              known == null ? 0 : known.arity(),
              tokens.isEmpty() && known != null ? known.tokens() : tokens));
    }
  }

  private static String usage(Map<String, RespValue> arg, List<String> tokens) {
    String type = arg.containsKey("type") ? text(arg.get("type")) : "string";
    String name = arg.containsKey("name") ? text(arg.get("name")) : "arg";
    String token = arg.containsKey("token") ? text(arg.get("token")) : null;
    if (token != null) {
      tokens.add(token);
    }
    String core;
    if ((type.equals("oneof") || type.equals("block"))
        && arg.get("arguments") instanceof RespValue.Array kids
        && kids.items() != null) {
      List<String> parts = new ArrayList<>();
      for (RespValue k : kids.items()) {
        parts.add(usage(map(k), tokens));
      }
      core = String.join(type.equals("oneof") ? " | " : " ", parts);
    } else if (type.equals("pure-token")) {
      core = token;
    } else {
      core = token == null ? name : token + " " + name;
    }
    List<String> flags = new ArrayList<>();
    if (arg.get("flags") instanceof RespValue.Array f && f.items() != null) {
      f.items().forEach(x -> flags.add(text(x)));
    }
    if (flags.contains("multiple")) {
      core = core + " [" + core + " ...]";
    }
    return flags.contains("optional") ? "[" + core + "]" : core;
  }

  private static Map<String, RespValue> map(RespValue v) {
    Map<String, RespValue> m = new TreeMap<>();
    if (v instanceof RespValue.Array a && a.items() != null) {
      for (int i = 0; i + 1 < a.items().size(); i += 2) {
        m.put(text(a.items().get(i)), a.items().get(i + 1));
      }
    }
    return m;
  }

  private static String text(RespValue v) {
    if (v instanceof RespValue.Bulk b && b.bytes() != null) {
      return new String(b.bytes(), StandardCharsets.UTF_8);
    }
    if (v instanceof RespValue.Simple s) {
      return s.text();
    }
    return String.valueOf(v);
  }

  /**
   * The argument syntax still to type, as redis-cli shows it after the cursor.
   *
   * @param typed the words typed so far, the command first
   * @param endsWithSpace whether the line ends with a space (the last word is complete)
   */
  public String hint(List<String> typed, boolean endsWithSpace) {
    if (typed.isEmpty()) {
      return "";
    }
    Info info = find(typed.get(0));
    if (info == null) {
      return "";
    }
    int complete = endsWithSpace ? typed.size() - 1 : typed.size() - 2;
    if (complete < 0) {
      return info.args().isEmpty() ? "" : " " + String.join(" ", info.args());
    }
    List<String> args = info.args();
    int used = 0;
    int remainingWords = complete;
    while (used < args.size() && remainingWords > 0) {
      String a = args.get(used);
      if (a.contains("...")) {
        return endsWithSpace ? a : ""; // variadic: keep offering it
      }
      if (a.startsWith("[")) {
        used++;
        remainingWords--;
        continue;
      }
      remainingWords -= Math.max(1, a.split(" ").length);
      used++;
    }
    if (used >= args.size()) {
      return "";
    }
    String rest = String.join(" ", args.subList(used, args.size()));
    return endsWithSpace ? rest : " " + rest;
  }
}
