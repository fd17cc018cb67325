package io.kvdb.server.command;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Every command the server knows: name to {@link CommandSpec}. {@link #execute} is the one place
 * that looks commands up, enforces AUTH and arity, and maps exceptions to error replies, so each
 * handler only does its own work. Immutable after construction; thread-safe.
 */
public final class CommandRegistry {
  private final Map<String, CommandSpec> commands = new TreeMap<>();

  /** The registry with every standard command family. */
  public static CommandRegistry standard() {
    CommandRegistry r = new CommandRegistry();
    StringCommands.register(r);
    KeyCommands.register(r);
    ServerCommands.register(r);
    ConnectionCommands.register(r);
    return r;
  }

  void add(CommandSpec spec) {
    if (commands.putIfAbsent(spec.name(), spec) != null) {
      throw new IllegalStateException("command registered twice: " + spec.name());
    }
  }

  public CommandSpec lookup(String name) {
    return commands.get(name.toLowerCase(Locale.ROOT));
  }

  public Collection<CommandSpec> all() {
    return commands.values();
  }

  /** Runs one request and returns its reply; never throws. */
  public Reply execute(CommandContext ctx, byte[][] argv) {
    String name = new String(argv[0], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    CommandSpec spec = commands.get(name);
    ctx.connection().touch(name);
    if (spec == null) {
      return Reply.error(RespErrors.unknownCommand(argv));
    }
    if (!ctx.connection().authenticated() && !spec.has(CommandFlag.NO_AUTH)) {
      return Reply.error(RespErrors.NOAUTH);
    }
    if (!spec.arityAccepts(argv.length)) {
      return Reply.error(RespErrors.wrongArity(spec.name()));
    }
    ctx.server().stats().commandsProcessed.increment();
    ctx.begin(spec);
    Reply reply;
    try {
      reply = spec.handler().handle(ctx, argv);
    } catch (RuntimeException e) {
      return Reply.failure(e);
    } finally {
      ctx.begin(null);
    }
    if (spec.has(CommandFlag.READONLY)
        && ctx.server().readsWaitForDurability()
        && !(reply instanceof Reply.Error)) {
      // Hold the reply until everything this read may have seen is durable.
      CompletableFuture<Void> barrier = ctx.server().store().syncBarrier();
      if (!barrier.isDone()) {
        Reply ready = reply;
        return Reply.later(barrier.thenApply(v -> ready));
      }
    }
    return reply;
  }
}
