package io.kvdb.server.command;

import io.kvdb.server.connection.Monitors;
import io.kvdb.server.connection.Transaction;
import io.kvdb.server.connection.WatchedKeys;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Every command the server knows: name to {@link CommandSpec}. The registry knows no command
 * family: each family registers its commands ({@code io.kvdb.server.commands.CommandFamilies} is
 * the one list the server wires in). {@link #execute} is the one place that looks commands up,
 * enforces AUTH and arity, and maps exceptions to error replies, so each handler only does its own
 * work. Immutable after construction; thread-safe.
 */
public final class CommandRegistry {
  private final Map<String, CommandSpec> commands = new TreeMap<>();
  // An allocation-free, case-insensitive index by name bytes: the lookup runs for every request.
  private CommandSpec[] index = new CommandSpec[512];

  /** An empty registry: families add their commands to it. */
  public CommandRegistry() {}

  /** Adds a command; a name registered twice is a bug, refused at start. */
  public void add(CommandSpec spec) {
    if (commands.putIfAbsent(spec.name(), spec) != null) {
      throw new IllegalStateException("command registered twice: " + spec.name());
    }
    if (commands.size() * 2 > index.length) {
      throw new IllegalStateException("grow the command index");
    }
    byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
    int mask = index.length - 1;
    int i = hashLower(name) & mask;
    while (index[i] != null) {
      i = (i + 1) & mask;
    }
    index[i] = spec;
  }

  /** The spec named by {@code name} in any case, without allocating; null when unknown. */
  CommandSpec lookup(byte[] name) {
    if (name.length > 32) {
      return null;
    }
    int mask = index.length - 1;
    for (int i = hashLower(name) & mask; index[i] != null; i = (i + 1) & mask) {
      if (equalsLower(index[i].name(), name)) {
        return index[i];
      }
    }
    return null;
  }

  private static int hashLower(byte[] b) {
    int h = 0x811c9dc5;
    for (byte x : b) {
      int c = x >= 'A' && x <= 'Z' ? x + 32 : x;
      h = (h ^ c) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }

  private static boolean equalsLower(String lower, byte[] b) {
    if (lower.length() != b.length) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      int c = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
      if (lower.charAt(i) != c) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code argv} names a command flagged WRITE (unknown commands are not). */
  public boolean isWrite(byte[][] argv) {
    CommandSpec spec = argv.length == 0 ? null : lookup(argv[0]);
    return spec != null && spec.has(CommandFlag.WRITE);
  }

  public CommandSpec lookup(String name) {
    return commands.get(name.toLowerCase(Locale.ROOT));
  }

  public Collection<CommandSpec> all() {
    return commands.values();
  }

  /**
   * Runs one request and returns its reply; never throws. Inside MULTI, a command is checked and
   * queued instead (see {@link Transaction}); EXEC runs the queue through {@link #run}.
   */
  public Reply execute(CommandContext ctx, byte[][] argv) {
    Transaction tx = ctx.connection().transaction();
    CommandSpec spec = lookup(argv[0]);
    long start = ctx.commandStart();
    if (spec == null) {
      ctx.connection().touch("unknown", start);
      return refuse(ctx, null, RespErrors.unknownCommand(argv));
    }
    ctx.connection().touch(spec.name(), start);
    if (!ctx.connection().authenticated() && !spec.has(CommandFlag.NO_AUTH)) {
      return refuse(ctx, spec, RespErrors.NOAUTH);
    }
    if (!spec.arityAccepts(argv.length)) {
      return refuse(ctx, spec, RespErrors.wrongArity(spec.name()));
    }
    if (spec.has(CommandFlag.WRITE) && ctx.server().readOnlyReplica()) {
      return refuse(ctx, spec, RespErrors.READONLY);
    }
    if (tx.open() && !spec.has(CommandFlag.IMMEDIATE)) {
      if (spec.has(CommandFlag.NO_MULTI)) {
        return refuse(ctx, spec, RespErrors.NOT_IN_MULTI);
      }
      tx.queue(spec, argv);
      return Reply.QUEUED;
    }
    ctx.server().stats().commandsProcessed.increment();
    Reply reply = run(ctx, spec, argv);
    if (spec.has(CommandFlag.WRITE)) {
      // What WAIT waits for: an LSN at or after this connection's last write.
      ctx.connection().lastWriteLsn(ctx.server().store().lastLsn());
    }
    if (spec.has(CommandFlag.READONLY)
        && !(reply instanceof Reply.Error)
        && showsLostWrite(ctx, spec, argv)) {
      // The log failed and this key's last write never became durable: memory may hold a value
      // whose client was told the write failed. No read shows it (docs/reliability.md).
      return Reply.error(RespErrors.LOST_WRITE);
    }
    if (spec.has(CommandFlag.READONLY)
        && ctx.server().readsWaitForDurability()
        && !(reply instanceof Reply.Error)) {
      // Hold the reply until everything this read may have seen is durable.
      CompletableFuture<Void> barrier = ctx.server().store().syncBarrier();
      return Reply.afterBarrier(barrier, reply);
    }
    return reply;
  }

  private static boolean showsLostWrite(CommandContext ctx, CommandSpec spec, byte[][] argv) {
    var wal = ctx.server().wal();
    if (wal == null || wal.failure() == null || spec.firstKey() == 0) {
      return false;
    }
    for (byte[] key : spec.keysOf(argv)) {
      if (wal.lostWriteOf(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An error reply that, inside MULTI, also dooms the transaction (EXECABORT), as in Redis; a
   * refused EXEC itself discards the transaction and says why, as Redis' {@code execCommandAbort}.
   */
  private static Reply refuse(CommandContext ctx, CommandSpec spec, String error) {
    ctx.server().commandStats().rejected(ctx.threadStats(), spec, error);
    Transaction tx = ctx.connection().transaction();
    if (spec != null && spec.name().equals("exec")) {
      tx.discard();
      ctx.server().watches().unwatchAll(tx);
      return Reply.error(RespErrors.execAbort(error));
    }
    if (tx.open()) {
      tx.fail();
    }
    return Reply.error(error);
  }

  /**
   * Runs a command that passed its checks: marks transactions watching its keys (a write), then
   * runs its handler, mapping an exception to an error reply.
   */
  public Reply run(CommandContext ctx, CommandSpec spec, byte[][] argv) {
    WatchedKeys watches = ctx.server().watches();
    if (spec.has(CommandFlag.WRITE) && !watches.isEmpty()) {
      if (spec.firstKey() == 0) {
        watches.touchAll(); // FLUSHALL, FLUSHDB
      } else {
        watches.touch(spec.keysOf(argv));
      }
    }
    CommandSpec outer = ctx.current();
    ctx.begin(spec);
    long start = ctx.commandStart();
    Reply reply;
    try {
      reply = spec.handler().handle(ctx, argv);
    } catch (RuntimeException e) {
      reply = Reply.failure(e);
    } catch (OutOfMemoryError e) {
      // One allocation too large for the heap (a huge value being built): that allocation did not
      // happen, the command is refused as Redis refuses a write over maxmemory.
      reply = Reply.error(RespErrors.OOM);
    } finally {
      ctx.begin(outer);
    }
    long end = System.nanoTime();
    ctx.commandEnded(end);
    long took = end - start;
    ctx.server()
        .commandStats()
        .ran(ctx.threadStats(), spec, took, reply instanceof Reply.Error e ? e.message() : null);
    ctx.server().slowLog().consider(ctx.connection(), argv, took);
    ctx.server()
        .latency()
        .record(spec.has(CommandFlag.FAST) ? "fast-command" : "command", took / 1_000_000);
    Monitors monitors = ctx.server().monitors();
    if (!monitors.isEmpty() && spec.monitored()) { // the cheap test first: most of the time none
      monitors.feed(ctx.connection(), argv);
    }
    return reply;
  }
}
