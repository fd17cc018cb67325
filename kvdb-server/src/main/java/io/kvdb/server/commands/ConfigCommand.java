package io.kvdb.server.commands;

import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import io.kvdb.server.command.RuntimeConfig;
import io.kvdb.server.command.ServerContext;
import io.kvdb.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * CONFIG GET: a useful subset of parameters under their Redis names, so tools such as
 * redis-benchmark and redis-cli find what they ask for. The password is never returned. CONFIG SET
 * changes the few that can change at runtime ({@link RuntimeConfig}) and refuses the others as
 * immutable, as Redis refuses its own.
 */
final class ConfigCommand {
  private ConfigCommand() {}

  static Reply config(CommandContext c, byte[][] a) {
    if (Args.is(a[1], "set")) {
      return set(c, a);
    }
    if (Args.is(a[1], "resetstat")) {
      if (a.length != 2) {
        return Reply.error(RespErrors.wrongArity("config|resetstat"));
      }
      c.server().stats().reset();
      c.server().commandStats().reset();
      c.server().engine().resetStats();
      return Reply.OK;
    }
    if (!Args.is(a[1], "get")) {
      return Reply.error(RespErrors.unknownSubcommand(Args.text(a[1]), "config"));
    }
    if (a.length < 3) {
      return Reply.error(RespErrors.wrongArity("config|get"));
    }
    Map<String, String> params = parameters(c.server());
    List<Reply> out = new ArrayList<>();
    for (Map.Entry<String, String> e : params.entrySet()) {
      for (int i = 2; i < a.length; i++) {
        if (Glob.matches(
            Args.lower(a[i]).getBytes(StandardCharsets.UTF_8),
            e.getKey().getBytes(StandardCharsets.UTF_8))) {
          out.add(Reply.bulk(e.getKey()));
          out.add(Reply.bulk(e.getValue()));
          break;
        }
      }
    }
    return Reply.array(out);
  }

  /** The parameters CONFIG SET changes; every other one CONFIG GET knows is immutable. */
  private static final List<String> MUTABLE =
      List.of(
          "maxclients",
          "timeout",
          "protected-mode",
          "maxmemory",
          "requirepass",
          "min-replicas-to-write",
          "min-replicas-max-lag",
          "slowlog-log-slower-than",
          "slowlog-max-len",
          "latency-monitor-threshold",
          "client-output-buffer-limit",
          "client-query-buffer-limit",
          "resync-over-divergence",
          "replica-announce-port");

  /**
   * CONFIG SET parameter value [parameter value ...], as Redis 7.0: every pair is checked before
   * any is applied (all or nothing), with Redis' error texts.
   */
  private static Reply set(CommandContext c, byte[][] a) {
    if (a.length < 4 || (a.length - 2) % 2 != 0) {
      return Reply.error(RespErrors.wrongArity("config|set"));
    }
    Map<String, String> known = parameters(c.server());
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (int i = 2; i < a.length; i += 2) {
      String name = Args.lower(a[i]);
      if (!known.containsKey(name) && !name.equals("requirepass")) {
        return Reply.error(
            "ERR Unknown option or number of arguments for CONFIG SET - '" + Args.text(a[i]) + "'");
      }
      if (parsed.containsKey(name)) {
        return Reply.error(failed(name, "duplicate parameter"));
      }
      if (!MUTABLE.contains(name)) {
        return Reply.error(failed(name, "can't set immutable config"));
      }
      String value = Args.text(a[i + 1]);
      Object v = parse(name, value);
      if (v instanceof String error) {
        return Reply.error(failed(name, error));
      }
      parsed.put(name, v);
    }
    var node = c.server().replication();
    if (node == null
        && (parsed.containsKey("min-replicas-to-write")
            || parsed.containsKey("min-replicas-max-lag")
            || parsed.containsKey("resync-over-divergence"))) {
      return Reply.error(RespErrors.NO_REPLICATION);
    }
    long[] rule = node == null ? null : node.minSlaves();
    RuntimeConfig rt = c.server().runtime();
    for (Map.Entry<String, Object> e : parsed.entrySet()) {
      Object v = e.getValue();
      switch (e.getKey()) {
        case "maxclients" -> rt.maxClients((int) Math.min((Long) v, Integer.MAX_VALUE));
        case "timeout" -> rt.idleTimeoutSeconds((Long) v);
        case "protected-mode" -> rt.protectedMode((Boolean) v);
        case "requirepass" -> rt.password(((Optional<?>) v).map(Object::toString).orElse(null));
        case "maxmemory" -> {
          rt.maxMemory((Long) v);
          c.server().engine().maxMemory((Long) v);
        }
        case "slowlog-log-slower-than" -> c.server().slowLog().slowerThanMicros((Long) v);
        case "slowlog-max-len" -> c.server().slowLog().maxLen((int) (long) (Long) v);
        case "latency-monitor-threshold" -> c.server().latency().thresholdMillis((Long) v);
        case "client-output-buffer-limit" -> {
          var limits = (RuntimeConfig.OutputLimit[]) v;
          rt.outputLimits(limits[0], limits[1], limits[2]);
        }
        case "client-query-buffer-limit" -> rt.maxQueryBuffer((Long) v);
        case "resync-over-divergence" -> c.server().replication().resyncOverDivergence((Boolean) v);
        case "replica-announce-port" -> {
          rt.announcePort((int) (long) (Long) v);
          if (node != null) {
            node.announcePort(rt.announcedPort(c.server().port())); // reaches the master in an ACK
          }
        }
        case "min-replicas-to-write" -> rule[0] = (Long) v;
        case "min-replicas-max-lag" -> rule[1] = (Long) v;
        default -> throw new IllegalStateException(e.getKey());
      }
    }
    if (rule != null) {
      node.minSlaves((int) rule[0], Duration.ofSeconds(rule[1]));
    }
    return Reply.OK;
  }

  private static String failed(String name, String why) {
    return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why;
  }

  /** The parsed value, or a String: the reason it is refused. */
  private static Object parse(String name, String value) {
    switch (name) {
      case "maxclients",
          "timeout",
          "min-replicas-to-write",
          "min-replicas-max-lag",
          "slowlog-log-slower-than",
          "slowlog-max-len",
          "latency-monitor-threshold",
          "replica-announce-port" -> {
        long n;
        try {
          n = Args.parseLong(value.getBytes(StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
          return "argument couldn't be parsed into an integer";
        }
        long min =
            switch (name) {
              case "maxclients" -> 1;
              case "slowlog-log-slower-than" -> -1;
              default -> 0;
            };
        long max =
            switch (name) {
              case "maxclients" -> 4294967295L;
              case "min-replicas-to-write" -> 1000; // kvdb's bound (Redis: INT_MAX)
              case "min-replicas-max-lag" -> 3600;
              case "slowlog-log-slower-than", "latency-monitor-threshold" -> Long.MAX_VALUE;
              case "slowlog-max-len" -> 1_000_000;
              case "replica-announce-port" -> 65535;
              default -> Integer.MAX_VALUE;
            };
        if (n < min || n > max) {
          return "argument must be between " + min + " and " + max + " inclusive";
        }
        return n;
      }
      case "protected-mode", "resync-over-divergence" -> {
        return switch (value.toLowerCase(Locale.ROOT)) {
          case "yes" -> true;
          case "no" -> false;
          default -> "argument must be 'yes' or 'no'";
        };
      }
      case "maxmemory" -> {
        long bytes = memory(value);
        return bytes < 0 ? "argument must be a memory value" : (Object) bytes;
      }
      case "client-query-buffer-limit" -> {
        long bytes = memory(value);
        if (bytes < 0) {
          return "argument must be a memory value";
        }
        long min = 1L << 20;
        return bytes < min
            ? "argument must be between " + min + " and " + Long.MAX_VALUE + " inclusive"
            : (Object) bytes;
      }
      case "client-output-buffer-limit" -> {
        return outputLimits(value);
      }
      case "requirepass" -> {
        return Optional.ofNullable(value.isEmpty() ? null : value); // "" turns it off, as Redis
      }
      default -> {
        return "can't set immutable config";
      }
    }
  }

  /**
   * Redis' {@code client-output-buffer-limit} value: groups of {@code <class> <hard> <soft>
   * <soft-seconds>}, classes normal, replica (or slave) and pubsub, checked whole before any is
   * applied; the result holds the normal, replica and pubsub limits (null where not given), or the
   * reason in Redis' words.
   */
  private static Object outputLimits(String value) {
    String[] w = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
    if (w.length % 4 != 0) {
      return "Wrong number of arguments in buffer limit configuration.";
    }
    RuntimeConfig.OutputLimit[] out = new RuntimeConfig.OutputLimit[3];
    for (int i = 0; i < w.length; i += 4) {
      int cls =
          switch (w[i].toLowerCase(Locale.ROOT)) {
            case "normal" -> 0;
            case "replica", "slave" -> 1;
            case "pubsub" -> 2;
            default -> -1;
          };
      if (cls < 0) {
        return "Invalid client class specified in buffer limit configuration.";
      }
      long hard = memory(w[i + 1]);
      long soft = memory(w[i + 2]);
      long seconds;
      try {
        seconds = Args.parseLong(w[i + 3].getBytes(StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        seconds = -1;
      }
      if (hard < 0 || soft < 0 || seconds < 0) {
        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      }
      out[cls] = new RuntimeConfig.OutputLimit(hard, soft, seconds);
    }
    return out;
  }

  /**
   * Redis' memory values: a count of bytes with an optional unit (k, kb, m, mb, g, gb); -1 if not.
   */
  static long memory(String v) {
    String s = v.toLowerCase(Locale.ROOT);
    long unit = 1;
    String[][] units = {
      {"gb", "1073741824"},
      {"mb", "1048576"},
      {"kb", "1024"},
      {"g", "1000000000"},
      {"m", "1000000"},
      {"k", "1000"},
      {"b", "1"}
    };
    for (String[] u : units) {
      if (s.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length());
        break;
      }
    }
    try {
      long n = Args.parseLong(s.getBytes(StandardCharsets.US_ASCII));
      return n < 0 ? -1 : Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }

  private static Map<String, String> parameters(ServerContext s) {
    ServerConfig cfg = s.config();
    ServerConfig.Network n = cfg.network();
    RuntimeConfig rt = s.runtime();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bind", n.ip());
    p.put("port", Integer.toString(s.port()));
    p.put("maxclients", Integer.toString(rt.maxClients()));
    p.put("timeout", Long.toString(rt.idleTimeoutSeconds()));
    p.put("protected-mode", rt.protectedMode() ? "yes" : "no");
    p.put("proto-max-bulk-len", Long.toString(n.maxMessageSize()));
    p.put(
        "client-output-buffer-limit",
        "normal "
            + rt.normalOutput()
            + " slave "
            + rt.replicaOutput()
            + " pubsub "
            + rt.pubsubOutput());
    p.put("client-query-buffer-limit", Long.toString(rt.maxQueryBuffer()));
    p.put("databases", "1");
    p.put("save", "");
    p.put("appendonly", cfg.wal() == null ? "no" : "yes");
    p.put("appendfsync", cfg.wal() == null ? "no" : cfg.wal().fsync());
    p.put("dir", cfg.wal() == null ? "" : cfg.wal().dataDirectory().toAbsolutePath().toString());
    p.put("maxmemory", Long.toString(rt.maxMemory()));
    long[] rule = s.replication() == null ? new long[] {0, 10} : s.replication().minSlaves();
    p.put("slowlog-log-slower-than", Long.toString(s.slowLog().slowerThanMicros()));
    p.put("slowlog-max-len", Integer.toString(s.slowLog().maxLen()));
    p.put("latency-monitor-threshold", Long.toString(s.latency().thresholdMillis()));
    p.put("min-replicas-to-write", Long.toString(rule[0]));
    p.put("min-replicas-max-lag", Long.toString(rule[1]));
    p.put("replica-announce-port", Integer.toString(rt.announcePort()));
    if (s.replication() != null) {
      // kvdb's own (replication.resync_over_divergence): may a full sync replace diverged data?
      p.put("resync-over-divergence", s.replication().resyncOverDivergence() ? "yes" : "no");
    }
    return p;
  }
}
