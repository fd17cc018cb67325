package io.kvdb.server.commands;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.replication.NodeStatus;
import io.kvdb.replication.ReplicationNode;
import io.kvdb.replication.SlaveInfo;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.ServerContext;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.connection.ConnectionState;
import io.kvdb.server.stats.CommandStats;
import io.kvdb.server.stats.ServerStats;
import io.kvdb.wal.SegmentedWal;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * INFO [section ...], with Redis' section names, order and field names wherever Redis has the
 * field, so that redis-cli, redis_exporter and client libraries read it unmodified. With no
 * argument (or {@code default}) the sections Redis 7 prints by default; {@code all} and {@code
 * everything} add commandstats and latencystats. kvdb's own fields are prefixed {@code wal_},
 * {@code recovery_}, {@code kvdb_} or {@code heap_}.
 */
final class InfoCommand {
  /** The Redis release whose RESP2 command semantics kvdb follows (for tools that ask). */
  static final String REDIS_COMPAT_VERSION = "7.0.0";

  /** Every section, in Redis' order. */
  private static final List<String> SECTIONS =
      List.of(
          "server",
          "clients",
          "memory",
          "persistence",
          "stats",
          "replication",
          "cpu",
          "commandstats",
          "errorstats",
          "latencystats",
          "cluster",
          "keyspace");

  private static final List<String> NOT_DEFAULT = List.of("commandstats", "latencystats");

  // Looked up once: an MXBean lookup or a process query costs more than the rest of INFO.
  private static final List<GarbageCollectorMXBean> GC =
      ManagementFactory.getGarbageCollectorMXBeans();
  private static final String EXECUTABLE =
      ProcessHandle.current().info().command().orElse("java")
          + " -jar "
          + InfoCommand.class.getProtectionDomain().getCodeSource().getLocation().getPath();

  private InfoCommand() {}

  static Reply info(CommandContext c, byte[][] a) {
    List<String> wanted = new ArrayList<>();
    for (int i = 1; i < a.length; i++) {
      String s = Args.lower(a[i]);
      if (s.equals("all") || s.equals("everything")) {
        wanted.addAll(SECTIONS);
      } else if (s.equals("default")) {
        SECTIONS.stream().filter(x -> !NOT_DEFAULT.contains(x)).forEach(wanted::add);
      } else {
        wanted.add(s);
      }
    }
    if (wanted.isEmpty()) {
      SECTIONS.stream().filter(x -> !NOT_DEFAULT.contains(x)).forEach(wanted::add);
    }
    Map<String, BiConsumer<ServerContext, StringBuilder>> writers = new LinkedHashMap<>();
    writers.put("server", InfoCommand::server);
    writers.put("clients", InfoCommand::clients);
    writers.put("memory", InfoCommand::memory);
    writers.put("persistence", InfoCommand::persistence);
    writers.put("replication", InfoCommand::replication);
    writers.put("stats", InfoCommand::stats);
    writers.put("cpu", InfoCommand::cpu);
    writers.put("commandstats", InfoCommand::commandstats);
    writers.put("errorstats", InfoCommand::errorstats);
    writers.put("latencystats", InfoCommand::latencystats);
    writers.put("cluster", (s, b) -> line(b, "cluster_enabled", 0));
    writers.put("keyspace", (s, b) -> keyspace(c, b));
    StringBuilder out = new StringBuilder();
    for (String section : SECTIONS) {
      if (wanted.contains(section)) {
        if (out.length() > 0) {
          out.append("\r\n");
        }
        out.append("# ")
            .append(Character.toUpperCase(section.charAt(0)))
            .append(section.substring(1))
            .append("\r\n");
        writers.get(section).accept(c.server(), out);
      }
    }
    return Reply.bulk(out.toString());
  }

  private static void line(StringBuilder b, String key, Object value) {
    b.append(key).append(':').append(value).append("\r\n");
  }

  private static void server(ServerContext s, StringBuilder b) {
    long uptime = (System.currentTimeMillis() - s.startMillis()) / 1000;
    line(b, "kvdb_version", s.version());
    line(b, "redis_version", REDIS_COMPAT_VERSION);
    line(b, "redis_mode", "standalone");
    line(
        b,
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    line(b, "arch_bits", System.getProperty("sun.arch.data.model", "64"));
    line(b, "java_version", System.getProperty("java.version"));
    line(b, "process_id", ProcessHandle.current().pid());
    line(b, "run_id", s.runId());
    line(b, "tcp_port", s.port());
    line(b, "io_threads_active", s.ioThreads() > 1 ? 1 : 0);
    line(b, "kvdb_io_threads", s.ioThreads());
    line(b, "executable", EXECUTABLE);
    line(b, "config_file", s.configFile());
    line(b, "uptime_in_seconds", uptime);
    line(b, "uptime_in_days", uptime / 86400);
  }

  private static void clients(ServerContext s, StringBuilder b) {
    line(b, "connected_clients", s.clients().connected());
    line(b, "maxclients", s.clients().max());
    long blocked = 0;
    long maxIn = 0;
    long maxOut = 0;
    for (ConnectionState c : s.clients().all()) {
      maxIn = Math.max(maxIn, c.inputBufferBytes());
      maxOut = Math.max(maxOut, c.outputBufferBytes());
      blocked += c.isBlocked() ? 1 : 0;
    }
    // Redis reports the largest over its last few seconds; kvdb the largest now.
    line(b, "client_recent_max_input_buffer", maxIn);
    line(b, "client_recent_max_output_buffer", maxOut);
    line(b, "blocked_clients", blocked); // in WAIT or WAITAOF
    line(b, "tracking_clients", 0);
    line(b, "monitor_clients", s.monitors().size());
  }

  private static void memory(ServerContext s, StringBuilder b) {
    Runtime rt = Runtime.getRuntime();
    long used = rt.totalMemory() - rt.freeMemory();
    line(b, "used_memory", used);
    line(b, "used_memory_human", human(used));
    long peak = Math.max(used, s.stats().peakHeap());
    line(b, "used_memory_peak", peak);
    line(b, "used_memory_peak_human", human(peak));
    var engine = s.engine();
    long dataset = engine.usedMemory();
    line(b, "used_memory_dataset", dataset);
    line(b, "used_memory_overhead", Math.max(0, used - dataset));
    long keys = engine.entries(); // lock-free: INFO may run inside EXEC, which holds the locks
    line(b, "kvdb_bytes_per_key", keys == 0 ? 0 : dataset / keys);
    line(b, "maxmemory", engine.maxMemory());
    line(b, "maxmemory_human", human(engine.maxMemory()));
    line(b, "heap_committed", rt.totalMemory());
    line(b, "heap_max", rt.maxMemory());
    line(b, "heap_max_human", human(rt.maxMemory()));
    line(b, "heap_used", used);
    line(b, "gc_count", GC.stream().mapToLong(g -> Math.max(0, g.getCollectionCount())).sum());
    line(b, "gc_time_ms", GC.stream().mapToLong(g -> Math.max(0, g.getCollectionTime())).sum());
  }

  private static void persistence(ServerContext s, StringBuilder b) {
    SegmentedWal wal = s.segmentedWal();
    ServerConfig.Wal cfg = s.config().wal();
    line(b, "loading", 0);
    line(b, "aof_enabled", wal == null ? 0 : 1);
    line(b, "wal_enabled", wal == null ? 0 : 1);
    if (wal != null) {
      Throwable failure = wal.failure();
      String stalled = wal.stalled();
      line(b, "wal_status", failure != null ? "failed" : stalled != null ? "stalled" : "ok");
      if (stalled != null) {
        line(b, "wal_stalled_by", stalled.replace('\n', ' ')); // retried every second
      }
      line(b, "wal_fsync", cfg.fsync());
      line(b, "wal_dir", wal.directory().toAbsolutePath());
      line(b, "wal_last_lsn", wal.lastLsn());
      line(b, "wal_durable_lsn", wal.durableLsn());
      var st = wal.stats();
      line(b, "wal_groups", st.groups());
      line(b, "wal_records", st.records());
      line(
          b,
          "wal_records_per_group",
          String.format(
              Locale.ROOT, "%.2f", st.groups() == 0 ? 0.0 : (double) st.records() / st.groups()));
      line(b, "wal_fsyncs", st.fsyncs());
      line(b, "wal_fsync_avg_usec", st.fsyncs() == 0 ? 0 : st.fsyncNanos() / st.fsyncs() / 1000);
      line(b, "wal_synced_lsn", wal.syncedLsn());
      line(b, "wal_pending_bytes", wal.pendingBytes());
      line(b, "wal_max_pending_bytes", wal.options().maxPendingBytes());
      line(b, "wal_read_pauses", s.stats().readPauses.sum());
      line(b, "wal_fsync_p50_usec", CommandStats.fixed(st.fsyncP50Micros(), 3));
      line(b, "wal_fsync_p99_usec", CommandStats.fixed(st.fsyncP99Micros(), 3));
      line(b, "wal_group_p50_records", st.groupP50Records());
      line(b, "wal_group_p99_records", st.groupP99Records());
      line(b, "wal_segments", st.segments());
      line(b, "wal_disk_bytes", st.diskBytes());
      line(b, "wal_snapshots", st.snapshots());
      line(b, "wal_last_snapshot_lsn", st.lastSnapshotLsn());
      line(b, "wal_last_snapshot_time", st.lastSnapshotMillis() / 1000);
      line(b, "wal_last_snapshot_duration_ms", st.lastSnapshotDurationMillis());
      if (st.failure() != null) {
        line(b, "wal_error", st.failure().replace('\r', ' ').replace('\n', ' '));
      }
      line(b, "rdb_bgsave_in_progress", wal.snapshotInProgress() ? 1 : 0);
      line(b, "rdb_last_save_time", s.lastSaveMillis() / 1000);
      var r = s.engine().recoveryReport();
      line(b, "recovery_snapshot_lsn", r.snapshotLsn());
      line(b, "recovery_snapshot_end_lsn", r.snapshotEndLsn());
      line(b, "recovery_records_replayed", r.recordsReplayed());
      line(b, "recovery_bytes_truncated", r.bytesTruncated());
      line(b, "recovery_records_dropped", r.recordsDropped());
      line(b, "recovery_millis", r.took().toMillis());
    }
  }

  private static void replication(ServerContext s, StringBuilder b) {
    ReplicationNode node = s.replication();
    if (node == null) {
      line(b, "role", "master");
      line(b, "connected_slaves", 0);
      line(b, "master_repl_offset", s.store().lastLsn());
      line(b, "replication_enabled", 0);
      return;
    }
    NodeStatus st = node.status();
    NodeStatus.Link l = st.link();
    line(b, "role", st.role());
    if (l != null) {
      line(b, "master_host", l.masterHost());
      line(b, "master_port", l.masterPort());
      line(b, "master_link_status", l.up() ? "up" : "down");
      line(b, "master_last_io_seconds_ago", l.up() ? l.secondsSinceLastIo() : -1);
      line(b, "master_sync_in_progress", l.syncInProgress() ? 1 : 0);
      line(b, "slave_read_repl_offset", l.appliedLsn());
      line(b, "slave_repl_offset", l.appliedLsn());
      if (!l.up()) {
        line(b, "master_link_down_since_seconds", l.secondsSinceLastIo());
      }
      line(b, "slave_priority", 100);
      line(b, "slave_read_only", 1);
      line(b, "replica_announced", 1);
      line(b, "kvdb_link_state", l.state());
      line(b, "kvdb_master_last_lsn", l.masterLastLsn());
      line(b, "kvdb_slave_consistent", l.consistent() && !l.syncInProgress() ? 1 : 0);
      line(b, "kvdb_sync_refused", l.refusal() == null ? "" : l.refusal());
    }

    // slaveN: exactly Redis' shape (ip, port, state, offset, lag), which replication-aware clients
    // (Lettuce's MasterReplica) parse; the port is the slave's client port. kvdb's own fields, and
    // slaves this master refused, are in kvdb_slaveN lines.
    int connected = 0;
    StringBuilder slaves = new StringBuilder();
    for (SlaveInfo slave : st.slaves()) {
      if (slave.state().equals("refused")) {
        continue;
      }
      line(
          slaves,
          "slave" + connected++,
          "ip="
              + slave.ip()
              + ",port="
              + slave.port()
              + ",state="
              + redisSlaveState(slave.state())
              + ",offset="
              + slave.ackedLsn()
              + ",lag="
              + slave.lagMillis() / 1000);
    }
    line(b, "connected_slaves", connected);
    b.append(slaves);
    int i = 0;
    for (SlaveInfo slave : st.slaves()) {
      line(
          b,
          "kvdb_slave" + i++,
          "id="
              + slave.id()
              + ",ip="
              + slave.ip()
              + ",port="
              + slave.port()
              + ",state="
              + slave.state()
              + ",offset="
              + slave.ackedLsn()
              + ",durable_offset="
              + slave.durableLsn()
              + (slave.refusal() == null
                  ? ""
                  : ",reason=" + slave.refusal().replace(',', ';').replace('\n', ' ')));
    }
    if (st.listenPort() > 0) {
      line(b, "kvdb_replication_port", st.listenPort());
    }
    line(b, "kvdb_rollback_records", node.rolledBackRecords());
    if (node.lastRollbackFile() != null) {
      line(b, "kvdb_rollback_file", node.lastRollbackFile().toAbsolutePath());
    }
    line(b, "master_failover_state", "no-failover");
    line(b, "master_replid", LogHistory.hex(st.history().id()));
    line(b, "master_replid2", LogHistory.hex(st.history().previousId()));
    line(b, "master_repl_offset", st.lastLsn());
    line(b, "second_repl_offset", st.history().previousId() == 0 ? -1 : st.history().forkLsn() + 1);
    // The backlog is the log a master retains for slaves that come back
    // (replication.history_retained).
    line(b, "repl_backlog_active", st.link() == null ? 1 : 0);
    line(b, "repl_backlog_size", node.retainedHistoryLimit());
    long first = node.firstRetainedLsn();
    line(b, "repl_backlog_first_byte_offset", first);
    line(b, "repl_backlog_histlen", Math.max(0, st.lastLsn() - first + 1));
  }

  /** Redis' replica states: wait_bgsave, send_bulk, online. */
  private static String redisSlaveState(String state) {
    return switch (state) {
      case "online" -> "online";
      case "full_sync" -> "send_bulk";
      default -> "wait_bgsave";
    };
  }

  private static void stats(ServerContext s, StringBuilder b) {
    ServerStats st = s.stats();
    line(b, "total_connections_received", st.connectionsReceived.sum());
    line(b, "total_commands_processed", st.commandsProcessed.sum());
    line(b, "instantaneous_ops_per_sec", st.instantaneousOpsPerSec());
    line(b, "total_net_input_bytes", st.netInputBytes.sum());
    line(b, "total_net_output_bytes", st.netOutputBytes.sum());
    line(b, "instantaneous_input_kbps", CommandStats.fixed(st.instantaneousInputKbps(), 2));
    line(b, "instantaneous_output_kbps", CommandStats.fixed(st.instantaneousOutputKbps(), 2));
    line(b, "rejected_connections", st.connectionsRejected.sum());
    line(b, "keyspace_hits", st.keyspaceHits.sum());
    line(b, "keyspace_misses", st.keyspaceMisses.sum());
    line(b, "expired_keys", s.engine().expiredKeys());
    line(b, "evicted_keys", 0);
    line(b, "total_error_replies", s.commandStats().errorReplies());
    line(b, "total_error_replies_protocol", st.protocolErrors.sum());
    line(b, "client_output_buffer_limit_disconnections", st.outputBufferDisconnects.sum());
    ReplicationNode node = s.replication();
    NodeStatus rs = node == null ? null : node.status();
    line(b, "sync_full", rs == null ? 0 : rs.syncFull());
    line(b, "sync_partial_ok", rs == null ? 0 : rs.syncPartialOk());
    line(b, "sync_partial_err", rs == null ? 0 : rs.syncPartialErr());
  }

  /** Process CPU seconds (from /proc/self/stat where there is one), as Redis' used_cpu_*. */
  private static void cpu(ServerContext s, StringBuilder b) {
    double[] cpu = processCpuSeconds();
    line(b, "used_cpu_sys", CommandStats.fixed(cpu[1], 6));
    line(b, "used_cpu_user", CommandStats.fixed(cpu[0], 6));
  }

  /** {user, system} CPU seconds of this process. */
  static double[] processCpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      double tick = 100.0; // USER_HZ, 100 on Linux
      return new double[] {Long.parseLong(f[11]) / tick, Long.parseLong(f[12]) / tick};
    } catch (IOException | RuntimeException e) {
      var os = ManagementFactory.getOperatingSystemMXBean();
      double total =
          os instanceof com.sun.management.OperatingSystemMXBean sun
              ? sun.getProcessCpuTime() / 1e9
              : 0;
      return new double[] {total, 0};
    }
  }

  private static void commandstats(ServerContext s, StringBuilder b) {
    s.commandStats()
        .commands()
        .forEach(
            (name, e) -> {
              long calls = e.calls();
              line(
                  b,
                  "cmdstat_" + name,
                  "calls="
                      + calls
                      + ",usec="
                      + e.micros()
                      + ",usec_per_call="
                      + CommandStats.fixed(calls == 0 ? 0 : (double) e.micros() / calls, 2)
                      + ",rejected_calls="
                      + e.rejected()
                      + ",failed_calls="
                      + e.failed());
            });
  }

  private static void errorstats(ServerContext s, StringBuilder b) {
    s.commandStats().errors().forEach((code, n) -> line(b, "errorstat_" + code, "count=" + n));
  }

  private static void latencystats(ServerContext s, StringBuilder b) {
    s.commandStats()
        .commands()
        .forEach(
            (name, e) -> {
              if (e.calls() > 0) {
                line(
                    b,
                    "latency_percentiles_usec_" + name,
                    "p50="
                        + CommandStats.fixed(e.percentileMicros(50), 3)
                        + ",p99="
                        + CommandStats.fixed(e.percentileMicros(99), 3)
                        + ",p99.9="
                        + CommandStats.fixed(e.percentileMicros(99.9), 3));
              }
            });
  }

  /**
   * Through the command's store: inside EXEC that is the transaction's view (it holds the locks).
   */
  private static void keyspace(CommandContext c, StringBuilder b) {
    long keys = c.store().size();
    if (keys > 0) {
      long expires = Math.min(keys, c.server().engine().keysWithExpiry());
      line(b, "db0", "keys=" + keys + ",expires=" + expires + ",avg_ttl=0");
    }
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + "B";
    }
    int exp = (int) (Math.log(bytes) / Math.log(1024));
    return String.format(
        Locale.ROOT, "%.2f%c", bytes / Math.pow(1024, exp), "KMGTPE".charAt(exp - 1));
  }
}
