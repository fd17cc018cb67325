package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.IMMEDIATE;

import io.kvdb.core.KvStore;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandFlag;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import io.kvdb.server.connection.Transaction;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH, with Redis' semantics.
 *
 * <h2>EXEC</h2>
 *
 * A transaction doomed while queueing (unknown command, wrong arity, a write on a replica, a
 * command not allowed in MULTI) answers EXECABORT and runs nothing. Otherwise the queued commands
 * run as one {@link KvStore#atomically} operation over the union of their keys and the watched keys
 * (every shard when a queued command names no key: KEYS, DBSIZE, FLUSHALL, ...). Inside it, first
 * the watches are checked — a write command named a watched key since WATCH, or a key that existed
 * at WATCH is gone now (expired, or reclaimed, which no command names) — and a failed watch returns
 * a null array with nothing run. Then each command runs against the atomic view; its runtime error
 * (INCR of a non-number) is its own reply in the array and does not stop the others, as in Redis.
 * Everything the transaction writes is one record in the log, so neither a crash nor a replica ever
 * sees part of it; the reply waits until that record is durable.
 */
public final class TransactionCommands {
  private static final String GROUP = "transactions";

  private TransactionCommands() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("multi")
            .group(GROUP)
            .arity(1)
            .flags(FAST, IMMEDIATE)
            .summary("Starts a transaction.")
            .handler(
                (c, a) -> {
                  Transaction tx = c.connection().transaction();
                  if (tx.open()) {
                    return Reply.error(RespErrors.MULTI_NESTED);
                  }
                  tx.begin();
                  return Reply.OK;
                }));
    r.add(
        CommandSpec.named("discard")
            .group(GROUP)
            .arity(1)
            .flags(FAST, IMMEDIATE)
            .summary("Discards a transaction.")
            .handler(
                (c, a) -> {
                  Transaction tx = c.connection().transaction();
                  if (!tx.open()) {
                    return Reply.error(RespErrors.DISCARD_WITHOUT_MULTI);
                  }
                  tx.discard();
                  c.server().watches().unwatchAll(tx);
                  return Reply.OK;
                }));
    r.add(
        CommandSpec.named("exec")
            .group(GROUP)
            .arity(1)
            .flags(IMMEDIATE)
            .summary("Executes all commands in a transaction.")
            .handler(TransactionCommands::exec));
    r.add(
        CommandSpec.named("watch")
            .group(GROUP)
            .arity(-2)
            .flags(FAST, IMMEDIATE)
            .keys(1, -1, 1)
            .summary("Monitors changes to keys to determine the execution of a transaction.")
            .example("WATCH balance")
            .args(key("key").asMultiple())
            .handler(
                (c, a) -> {
                  Transaction tx = c.connection().transaction();
                  if (tx.open()) {
                    return Reply.error(RespErrors.WATCH_IN_MULTI);
                  }
                  for (int i = 1; i < a.length; i++) {
                    ByteBuffer k = ByteBuffer.wrap(a[i].clone());
                    if (!tx.watched().containsKey(k)) {
                      c.server()
                          .watches()
                          .watch(a[i], tx); // registered first: a write after it marks
                      tx.watched().put(k, c.store().get(a[i]) != null);
                    }
                  }
                  return Reply.OK;
                }));
    r.add(
        CommandSpec.named("unwatch")
            .group(GROUP)
            .arity(1)
            .flags(FAST)
            .summary("Forgets about watched keys of a transaction.")
            .handler(
                (c, a) -> {
                  c.server().watches().unwatchAll(c.connection().transaction());
                  return Reply.OK;
                }));
  }

  private static Reply exec(CommandContext c, byte[][] a) {
    Transaction tx = c.connection().transaction();
    if (!tx.open()) {
      return Reply.error(RespErrors.EXEC_WITHOUT_MULTI);
    }
    boolean failed = tx.failed();
    List<Transaction.Queued> queued = tx.take();
    if (failed) {
      c.server().watches().unwatchAll(tx);
      return Reply.error(RespErrors.EXECABORT);
    }
    Map<ByteBuffer, Boolean> watched = Map.copyOf(tx.watched());
    boolean writes = false;
    List<byte[]> keys = new ArrayList<>();
    for (ByteBuffer k : watched.keySet()) {
      keys.add(k.array());
    }
    for (Transaction.Queued q : queued) {
      writes |= spec(q).has(CommandFlag.WRITE);
      if (keys != null) {
        if (spec(q).firstKey() == 0) {
          keys = null; // a command over the whole keyspace, or none: lock every shard
        } else {
          keys.addAll(spec(q).keysOf(q.argv()));
        }
      }
    }
    List<byte[]> lockKeys = keys;
    CompletableFuture<List<Reply>> done;
    try {
      done =
          c.store()
              .atomically(
                  lockKeys,
                  view -> {
                    if (tx.dirty() || watchedKeyVanished(view, watched)) {
                      return null;
                    }
                    return c.inView(view, () -> runAll(c, queued));
                  });
    } catch (RuntimeException e) {
      return Reply.failure(e); // READONLY, NOREPLICAS, LOADING, a failed log: nothing ran
    } finally {
      c.server().watches().unwatchAll(tx);
    }
    if (writes) {
      c.connection().lastWriteLsn(c.server().store().lastLsn()); // what a WAIT after it waits for
    }
    return Reply.later(
        done.thenCompose(
            replies -> {
              if (replies == null) {
                return CompletableFuture.completedFuture(Reply.NULL_ARRAY);
              }
              // A reply still waiting on something of its own (none should): wait for it too,
              // so that writing the array never blocks the event loop.
              List<CompletableFuture<?>> pending = new ArrayList<>();
              for (Reply r : replies) {
                if (!r.ready() && r instanceof Reply.Deferred d) {
                  pending.add(d.future().handle((v, e) -> null));
                }
              }
              return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                  .thenApply(v -> Reply.array(replies));
            }));
  }

  /** Whether a key that existed when it was watched is gone now (expired or reclaimed). */
  private static boolean watchedKeyVanished(KvStore view, Map<ByteBuffer, Boolean> watched) {
    for (Map.Entry<ByteBuffer, Boolean> w : watched.entrySet()) {
      if (w.getValue() && view.get(w.getKey().array()) == null) {
        return true;
      }
    }
    return false;
  }

  private static List<Reply> runAll(CommandContext c, List<Transaction.Queued> queued) {
    List<Reply> replies = new ArrayList<>(queued.size());
    for (Transaction.Queued q : queued) {
      c.server().stats().commandsProcessed.increment();
      if (spec(q).name().equals("monitor")) {
        // Redis queues MONITOR, then refuses it when EXEC runs it; so does kvdb.
        replies.add(Reply.error(RespErrors.MONITOR_IN_EXEC));
        continue;
      }
      replies.add(c.server().registry().run(c, spec(q), q.argv()));
    }
    return replies;
  }

  /** The spec of a queued command: the registry queues only its own specs. */
  private static CommandSpec spec(Transaction.Queued q) {
    return (CommandSpec) q.command();
  }
}
