package io.kvdb.server.command;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The registry written out for the CLI, whose table of commands (HELP, usage hints, completion) is
 * generated from it at build time: a new command is one edit, here in the server.
 *
 * <p>Format: UTF-8 text, one command per line, fields separated by a tab — upper-case name, arity
 * (Redis' convention), summary, example, the keywords it accepts (space-separated), then one field
 * per argument in usage syntax ({@code [NX | XX]}). Lines starting with {@code #} are comments. The
 * kvdb-client-cli build runs {@code CommandFamilies.main} to write it into its jar.
 */
public final class CommandCatalog {
  private CommandCatalog() {}

  /** Writes {@code commands} in the catalog format. */
  public static void write(Collection<CommandSpec> commands, Writer out) throws IOException {
    out.write(
        "# Generated from the server's command registry at build time (CommandCatalog); do not"
            + " edit.\n");
    for (CommandSpec spec : commands) {
      List<String> fields = new ArrayList<>();
      fields.add(spec.name().toUpperCase(Locale.ROOT));
      fields.add(Integer.toString(spec.arity()));
      fields.add(spec.summary());
      fields.add(spec.example());
      Set<String> tokens = tokens(spec.args());
      tokens.addAll(spec.keywords());
      fields.add(String.join(" ", tokens));
      for (ArgDoc a : spec.args()) {
        fields.add(a.usage());
      }
      for (String f : fields) {
        if (f.indexOf('\t') >= 0 || f.indexOf('\n') >= 0) {
          throw new IllegalStateException(spec.name() + ": a tab or newline in '" + f + "'");
        }
      }
      out.write(String.join("\t", fields));
      out.write('\n');
    }
  }

  /** The keywords among {@code args} and their parts, in order, each once. */
  static Set<String> tokens(List<ArgDoc> args) {
    Set<String> tokens = new LinkedHashSet<>();
    for (ArgDoc a : args) {
      if (a.token() != null) {
        tokens.add(a.token());
      }
      tokens.addAll(tokens(a.children()));
    }
    return tokens;
  }
}
