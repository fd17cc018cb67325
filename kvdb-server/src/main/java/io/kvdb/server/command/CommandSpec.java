package io.kvdb.server.command;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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
    CommandHandler handler) {

  public CommandSpec {
    flags = flags.isEmpty() ? EnumSet.noneOf(CommandFlag.class) : EnumSet.copyOf(flags);
    args = List.copyOf(args);
  }

  /** A command whose key arguments sit at {@code firstKey..lastKey} by {@code step}. */
  public static CommandSpec keyed(
      String group,
      String name,
      int arity,
      Set<CommandFlag> flags,
      int firstKey,
      int lastKey,
      int step,
      String summary,
      List<ArgDoc> args,
      CommandHandler handler) {
    return new CommandSpec(
        name, arity, flags, firstKey, lastKey, step, group, summary, args, handler);
  }

  /** A command that takes no key arguments. */
  public static CommandSpec keyless(
      String group,
      String name,
      int arity,
      Set<CommandFlag> flags,
      String summary,
      List<ArgDoc> args,
      CommandHandler handler) {
    return new CommandSpec(name, arity, flags, 0, 0, 0, group, summary, args, handler);
  }

  public boolean has(CommandFlag f) {
    return flags.contains(f);
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
