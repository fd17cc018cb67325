package io.kvdb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the CLI knows about commands, for HELP, usage lines, TAB completion and argument hints: the
 * server's registry as built ({@link #builtIn}), refined by the server's COMMAND DOCS when it
 * answers (a server of another version may know other commands). Terminal-free.
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

  /** The catalog generated at build time from the server's registry (see the pom). */
  static final String CATALOG = "commands.tsv";

  /**
   * The table the CLI starts with: the server's commands as its registry describes them (a resource
   * generated at build time), and the CLI's own HELP, EXIT and QUIT.
   */
  public static CommandTable builtIn() {
    CommandTable t = new CommandTable();
    try (InputStream in = CommandTable.class.getResourceAsStream(CATALOG)) {
      if (in == null) {
        throw new IllegalStateException(CATALOG + " is missing from the CLI's jar: rebuild it");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        List<String> tokens = f[4].isEmpty() ? List.of() : List.of(f[4].split(" "));
        t.add(f[0], Integer.parseInt(f[1]), f[2], f[3], tokens, Arrays.copyOfRange(f, 5, f.length));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CATALOG, e);
    }
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
   * What is left of a repeating argument {@code core [core ...]} once {@code typed} words of it are
   * in: the rest of a partly typed {@code core}, then the repetition ({@code [key ...]}).
   */
  private static String variadicRest(String arg, int typed) {
    int open = arg.indexOf(" [");
    if (arg.startsWith("[") || open < 0 || !arg.endsWith(" ...]")) {
      return arg;
    }
    String[] core = arg.substring(0, open).split(" ");
    String repeat = "[" + arg.substring(open + 2, arg.length() - " ...]".length()).trim() + " ...]";
    int into = typed % core.length;
    if (into == 0) {
      return repeat;
    }
    return String.join(" ", Arrays.copyOfRange(core, into, core.length)) + " " + repeat;
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
        return endsWithSpace ? variadicRest(a, remainingWords) : ""; // keep offering it
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
