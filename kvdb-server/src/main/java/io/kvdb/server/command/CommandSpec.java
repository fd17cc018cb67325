package io.kvdb.server.command;

import io.kvdb.server.connection.Transaction;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A command in the registry.
 *
 * @param name lower-case name
 * @param arity Redis' convention: N means exactly N words including the name; -N means at least N
 * @param flags what the command is
 * @param firstKey index of the first key argument (0 if none)
 * @param lastKey index of the last key argument (-1 for the last argument)
 * @param step distance between key arguments
 * @param group the Redis command group (string, generic, connection, server)
 * @param summary one line for HELP and COMMAND DOCS
 * @param args the arguments after the name, for COMMAND DOCS and usage lines
 * @param handler what runs it
 * @param example a line to try, for the CLI's HELP (the CLI's table is generated from the registry:
 *     {@link CommandCatalog})
 */
public record CommandSpec(
    String name,
    int arity,
    Set<CommandFlag> flags,
    int firstKey,
    int lastKey,
    int step,
    String group,
    String summary,
    List<ArgDoc> args,
    CommandHandler handler,
    String example,
    List<String> keywords)
    implements Transaction.Command {

  public CommandSpec {
    flags = flags.isEmpty() ? EnumSet.noneOf(CommandFlag.class) : EnumSet.copyOf(flags);
    args = List.copyOf(args);
    keywords = List.copyOf(keywords);
  }

  /** Starts a command's spec: {@code CommandSpec.named("get").arity(2).key(1)...handler(h)}. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /**
   * A spec under construction. Defaults: no flags, no key arguments, no documented arguments; the
   * group, arity, summary and handler are required.
   */
  public static final class Builder {
    private final String name;
    private String group;
    private Integer arity;
    private Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
    private int firstKey;
    private int lastKey;
    private int step;
    private String summary;
    private List<ArgDoc> args = List.of();
    private CommandHandler handler;
    private String example;
    private List<String> keywords = List.of();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The Redis command group (string, generic, connection, server...). */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** Redis' convention: N is exactly N words including the name; -N at least N. */
    public Builder arity(int arity) {
      this.arity = arity;
      return this;
    }

    public Builder flags(CommandFlag first, CommandFlag... more) {
      this.flags = EnumSet.of(first, more);
      return this;
    }

    public Builder flags(Set<CommandFlag> flags) {
      this.flags = flags;
      return this;
    }

    /** The one key argument sits at index {@code index}. */
    public Builder key(int index) {
      return keys(index, index, 1);
    }

    /** Key arguments sit at {@code first..last} (-1: the last argument) by {@code step}. */
    public Builder keys(int first, int last, int step) {
      if (first < 1 || step < 1) {
        throw new IllegalArgumentException(name + ": first key and step start at 1");
      }
      this.firstKey = first;
      this.lastKey = last;
      this.step = step;
      return this;
    }

    /** One line for HELP and COMMAND DOCS. */
    public Builder summary(String summary) {
      this.summary = summary;
      return this;
    }

    /** A line to try, shown by the CLI's HELP (default: the bare name). */
    public Builder example(String example) {
      this.example = example;
      return this;
    }

    /** Words the CLI completes besides the arguments' tokens: subcommands, INFO's sections. */
    public Builder keywords(String... words) {
      this.keywords = List.of(words);
      return this;
    }

    /** The arguments after the name, for COMMAND DOCS and usage lines. */
    public Builder args(ArgDoc... args) {
      return args(List.of(args));
    }

    public Builder args(List<ArgDoc> args) {
      this.args = args;
      return this;
    }

    /** What runs the command: the last step, which returns the spec. */
    public CommandSpec handler(CommandHandler handler) {
      this.handler = handler;
      return build();
    }

    private CommandSpec build() {
      if (group == null || arity == null || summary == null || handler == null) {
        throw new IllegalStateException(name + ": group, arity, summary and handler are required");
      }
      return new CommandSpec(
          name,
          arity,
          flags,
          firstKey,
          lastKey,
          step,
          group,
          summary,
          args,
          handler,
          example == null ? name.toUpperCase(Locale.ROOT) : example,
          keywords);
    }
  }

  public boolean has(CommandFlag f) {
    return flags.contains(f);
  }

  /** Whether MONITOR shows it: not administrative commands, nor AUTH and HELLO (as Redis). */
  public boolean monitored() {
    return !flags.contains(CommandFlag.ADMIN) && !name.equals("auth") && !name.equals("hello");
  }

  /** The key arguments of {@code argv}, by this command's key positions (none for keyless). */
  public List<byte[]> keysOf(byte[][] argv) {
    if (firstKey == 0 || firstKey >= argv.length) {
      return List.of();
    }
    int last = lastKey < 0 ? argv.length + lastKey : Math.min(lastKey, argv.length - 1);
    List<byte[]> keys = new ArrayList<>(Math.max(1, (last - firstKey) / step + 1));
    for (int i = firstKey; i <= last; i += step) {
      keys.add(argv[i]);
    }
    return keys;
  }

  /** Whether {@code argc} words (including the name) satisfy the arity. */
  public boolean arityAccepts(int argc) {
    return arity >= 0 ? argc == arity : argc >= -arity;
  }

  /** The usage line: {@code SET key value [NX | XX] [GET]}. */
  public String usage() {
    StringBuilder b = new StringBuilder(name.toUpperCase());
    for (ArgDoc a : args) {
      b.append(' ').append(a.usage());
    }
    return b.toString();
  }
}
