package io.kvdb.server.commands;

import static io.kvdb.server.command.CommandFlag.ADMIN;

import io.kvdb.core.spi.StoreState;
import io.kvdb.replication.DatasetDigest;
import io.kvdb.replication.NodeStatus;
import io.kvdb.replication.ReplicationNode;
import io.kvdb.replication.SlaveInfo;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandFlag;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Replication commands: REPLICAOF (and its alias SLAVEOF), ROLE, WAIT, WAITAOF, DEBUG DIGEST. Role
 * changes stop and start threads (a link's thread is joined, a promotion fsyncs the new history),
 * so they run off the event loop and reply when done.
 */
public final class ReplicationCommands {
  private static final String GROUP = "server";
  static final String WAIT_ON_REPLICA =
      "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a"
          + " replica is configured to be writable (which is not the default) writes to replicas"
          + " are just local and are not propagated.";
  static final String WAITAOF_ON_REPLICA =
      "ERR WAITAOF cannot be used with replica instances. Please also note that writes to"
          + " replicas are just local and are not propagated.";

  private ReplicationCommands() {}

  public static void register(CommandRegistry r) {
    List<ArgDoc> replicaofArgs =
        List.of(
            ArgDoc.oneOf(
                "args",
                ArgDoc.block("host-port", ArgDoc.string("host"), ArgDoc.integer("port")),
                ArgDoc.block("no-one", ArgDoc.token("NO"), ArgDoc.token("ONE"))));
    for (String name : List.of("replicaof", "slaveof")) {
      r.add(
          CommandSpec.named(name)
              .group(GROUP)
              .arity(3)
              .flags(ADMIN)
              .summary("Configures a server as replica of another, or promotes it to a master.")
              .args(replicaofArgs)
              .handler(ReplicationCommands::replicaOf));
    }
    r.add(
        CommandSpec.named("role")
            .group(GROUP)
            .arity(1)
            .summary("Returns the replication role.")
            .handler(ReplicationCommands::role));
    r.add(
        CommandSpec.named("wait")
            .group("generic")
            .arity(3)
            .summary(
                "Blocks until the asynchronous replication of all preceding write commands sent by the"
                    + " connection is completed.")
            .example("WAIT 1 1000")
            .args(ArgDoc.integer("numreplicas"), ArgDoc.integer("timeout"))
            .handler(ReplicationCommands::waitCommand));
    r.add(
        CommandSpec.named("waitaof")
            .group("generic")
            .arity(4)
            .summary(
                "Blocks until all of the preceding write commands sent by the connection are written"
                    + " to the append-only file of the master and/or replicas.")
            .example("WAITAOF 1 1 1000")
            .args(
                ArgDoc.integer("numlocal"),
                ArgDoc.integer("numreplicas"),
                ArgDoc.integer("timeout"))
            .handler(ReplicationCommands::waitAof));
    r.add(
        CommandSpec.named("debug")
            .group(GROUP)
            .arity(-2)
            .flags(ADMIN, CommandFlag.NO_MULTI)
            .summary(
                "DEBUG DIGEST: a hash of the whole dataset, equal on equal data (master and replicas).")
            .example("DEBUG DIGEST")
            .args(ArgDoc.token("DIGEST"))
            .handler(ReplicationCommands::debug));
  }

  private static Reply replicaOf(CommandContext c, byte[][] a) {
    ReplicationNode node = c.server().replication();
    if (node == null) {
      return Reply.error(RespErrors.NO_REPLICATION);
    }
    if (Args.is(a[1], "no") && Args.is(a[2], "one")) {
      return Reply.later(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  node.promote();
                  return Reply.OK;
                } catch (IOException e) {
                  return Reply.error("ERR promotion failed: " + e.getMessage());
                }
              }));
    }
    long port = parsePort(a[2]);
    if (port < 0 || port > 65535) { // Redis accepts 0 too (and retries it for ever)
      return Reply.error(RespErrors.INVALID_MASTER_PORT);
    }
    String host = Args.text(a[1]);
    NodeStatus.Link now = node.status().link();
    if (now != null && now.masterHost().equals(host) && now.masterPort() == port) {
      return Reply.simple("OK Already connected to specified master");
    }
    return Reply.later(
        CompletableFuture.supplyAsync(
            () -> {
              node.replicaOf(host, (int) port);
              return Reply.OK;
            }));
  }

  /**
   * The port argument, or -1 when it is not an integer (Redis: "Invalid master port" either way).
   */
  private static long parsePort(byte[] arg) {
    try {
      return Args.parseLong(arg);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Reply role(CommandContext c, byte[][] a) {
    ReplicationNode node = c.server().replication();
    if (node == null) {
      return Reply.array(
          List.of(
              Reply.bulk("master"),
              Reply.integer(c.server().store().lastLsn()),
              Reply.EMPTY_ARRAY));
    }
    NodeStatus st = node.status();
    if (st.link() == null) {
      List<Reply> slaves = new ArrayList<>();
      for (SlaveInfo s : st.slaves()) {
        if (s.state().equals("refused")) {
          continue;
        }
        slaves.add(
            Reply.array(
                List.of(
                    Reply.bulk(s.ip()),
                    Reply.bulk(Integer.toString(s.port())),
                    Reply.bulk(Long.toString(s.ackedLsn())))));
      }
      return Reply.array(
          List.of(Reply.bulk("master"), Reply.integer(st.lastLsn()), Reply.array(slaves)));
    }
    NodeStatus.Link l = st.link();
    return Reply.array(
        List.of(
            Reply.bulk("slave"),
            Reply.bulk(l.masterHost()),
            Reply.integer(l.masterPort()),
            Reply.bulk(redisLinkState(l.state())),
            Reply.integer(l.appliedLsn())));
  }

  /** Redis' replica states in ROLE: connect, connecting, handshake, sync, connected. */
  static String redisLinkState(String state) {
    return switch (state) {
      case "connecting", "handshake", "sync", "connected" -> state;
      default -> "connect";
    };
  }

  /** Redis checks the role first, then the arguments. */
  private static Reply waitCommand(CommandContext c, byte[][] a) {
    ReplicationNode node = c.server().replication();
    if (node != null && node.readOnly()) {
      return Reply.error(WAIT_ON_REPLICA);
    }
    long[] n = parseCounts(a, 1, 2);
    if (n == null) {
      return Reply.error(RespErrors.NOT_INTEGER);
    }
    if (n[1] < 0) {
      return Reply.error(RespErrors.TIMEOUT_NEGATIVE);
    }
    if (node == null) {
      return Reply.ZERO;
    }
    long lsn = c.connection().lastWriteLsn();
    // Inside EXEC, as in Redis, WAIT does not block: it answers how many slaves have it now.
    int wanted = c.inTransactionView() ? 0 : (int) Math.min(n[0], Integer.MAX_VALUE);
    CompletableFuture<Integer> wait = node.waitFor(lsn, wanted, false, n[1]);
    c.connection().blockedOn(wait);
    return Reply.later(wait.thenApply(count -> Reply.integer(count)));
  }

  private static Reply waitAof(CommandContext c, byte[][] a) {
    if (c.server().readOnlyReplica()) {
      return Reply.error(WAITAOF_ON_REPLICA);
    }
    long[] n = parseCounts(a, 1, 3);
    if (n == null) {
      return Reply.error(RespErrors.NOT_INTEGER);
    }
    if (n[2] < 0) {
      return Reply.error(RespErrors.TIMEOUT_NEGATIVE);
    }
    ReplicationNode node = c.server().replication();
    if (node == null) {
      return n[0] > 0
          ? Reply.error(RespErrors.WAITAOF_LOCAL)
          : Reply.array(List.of(Reply.ZERO, Reply.ZERO));
    }
    long lsn = c.connection().lastWriteLsn();
    if (c.inTransactionView()) {
      n[0] = 0; // no waiting inside EXEC: report what is true now
      n[1] = 0;
    }
    CompletableFuture<Long> local =
        n[0] > 0
            ? node.wal().whenSynced(lsn).handle((v, e) -> e == null ? 1L : 0L)
            : CompletableFuture.completedFuture(node.wal().syncedLsn() >= lsn ? 1L : 0L);
    if (n[2] > 0) {
      // The timeout bounds the local fsync as well as the slaves (Redis: both): a stalled disk
      // answers what is true at the deadline.
      local =
          local
              .completeOnTimeout(-1L, n[2], TimeUnit.MILLISECONDS)
              .thenApply(v -> v >= 0 ? v : (node.wal().syncedLsn() >= lsn ? 1L : 0L));
    }
    CompletableFuture<Integer> slaves =
        node.waitFor(lsn, (int) Math.min(n[1], Integer.MAX_VALUE), true, n[2]);
    c.connection().blockedOn(slaves);
    c.connection().blockedOn(local);
    return Reply.later(
        local.thenCombine(
            slaves, (l, s) -> Reply.array(List.of(Reply.integer(l), Reply.integer(s)))));
  }

  /**
   * Parses a[from..to] as integers; null if one is not. Counts below zero mean zero, as in Redis
   * (WAIT -1 0 answers at once with the current count).
   */
  private static long[] parseCounts(byte[][] a, int from, int to) {
    long[] out = new long[to - from + 1];
    try {
      for (int i = from; i <= to; i++) {
        out[i - from] = Args.parseLong(a[i]);
      }
    } catch (NumberFormatException e) {
      return null;
    }
    for (int i = 0; i < out.length - 1; i++) {
      out[i] = Math.max(0, out[i]);
    }
    return out;
  }

  private static Reply debug(CommandContext c, byte[][] a) {
    if (!Args.is(a[1], "digest") || a.length != 2) {
      return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "DEBUG"));
    }
    ReplicationNode node = c.server().replication();
    String digest =
        node != null ? node.digest() : DatasetDigest.of((StoreState) c.server().engine());
    return Reply.bulk(digest);
  }
}
