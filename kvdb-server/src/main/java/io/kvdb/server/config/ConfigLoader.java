package io.kvdb.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML config strictly: SnakeYAML's safe constructor (plain maps, lists and scalars,
 * never arbitrary types), every key known, every value typed and in range. The first problem stops
 * startup with one message naming the key path, the value and what is allowed. Sizes in bytes take
 * a number or a string with a unit ({@code 64kb}, {@code 512mb}, {@code 1gb}).
 *
 * <p>Sections that are absent take their defaults, except {@code wal}: a config file without a
 * {@code wal} section runs the server purely in memory.
 */
public final class ConfigLoader {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|m|mb|g|gb)?");
  private static final Set<String> SECTIONS =
      Set.of("engine", "network", "logging", "wal", "replication", "monitoring");

  private final String source;

  private ConfigLoader(String source) {
    this.source = source;
  }

  public static ServerConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  public static ServerConfig parse(String yaml, String source) {
    return new ConfigLoader(source).parse(yaml);
  }

  private ServerConfig parse(String yaml) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(10);
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    if (root == null) {
      root = Map.of();
    }
    if (!(root instanceof Map<?, ?> top)) {
      throw new ConfigException(
          source + ": the top level must be a mapping of sections " + SECTIONS);
    }
    Section rootSection = new Section("", top);
    rootSection.rejectUnknown(SECTIONS);

    Section e = rootSection.section("engine");
    String type = e.choice("type", "in_memory", "in_memory");
    int shards = (int) e.integer("shards", 0, 0, 65536);
    if (shards != 0 && Integer.bitCount(shards) != 1) {
      throw e.bad("shards", shards, "0 (derive from CPUs) or a power of two from 1 to 65536");
    }
    long maxMemory = e.size("max_memory", 0, 0, 1L << 50);
    e.rejectUnknown(Set.of("type", "shards", "max_memory"));

    Section n = rootSection.section("network");
    ServerConfig.Network nd = ServerConfig.Network.DEFAULT;
    String ip = n.string("ip", nd.ip());
    try {
      InetAddress.getByName(ip);
    } catch (UnknownHostException ex) {
      throw n.bad("ip", ip, "an IP address or a resolvable host name");
    }
    ServerConfig.Network network =
        new ServerConfig.Network(
            ip,
            (int) n.integer("port", nd.port(), 0, 65535),
            (int) n.integer("max_connections", nd.maxConnections(), 1, 1_000_000),
            n.size("max_message_size", nd.maxMessageSize(), 1024, 512L << 20),
            n.integer("idle_timeout", nd.idleTimeoutSeconds(), 0, 315_360_000),
            n.integer("graceful_shutdown_timeout", nd.gracefulShutdownTimeoutSeconds(), 1, 3600),
            n.optionalString("password", nd.password()),
            n.bool("protected_mode", nd.protectedMode()),
            n.size("max_output_buffer", nd.maxOutputBuffer(), 0, 1L << 40),
            (int) n.integer("io_threads", nd.ioThreads(), 0, 1024),
            (int) n.integer("max_pending_replies", nd.maxPendingReplies(), 1, 10_000_000),
            n.size("max_output_buffer_soft", nd.maxOutputBufferSoft(), 0, 1L << 40),
            n.integer(
                "max_output_buffer_soft_seconds", nd.maxOutputBufferSoftSeconds(), 0, 315_360_000),
            n.size("max_query_buffer", nd.maxQueryBuffer(), 1L << 20, 1L << 40));
    if (network.maxQueryBuffer() < network.maxMessageSize()) {
      throw n.bad(
          "max_query_buffer",
          Long.toString(network.maxQueryBuffer()),
          "at least network.max_message_size ("
              + network.maxMessageSize()
              + "): a request of that size must fit");
    }
    if (network.password() != null && network.password().isEmpty()) {
      throw n.bad("password", "", "a non-empty string, or no key at all for no password");
    }
    n.rejectUnknown(
        Set.of(
            "ip",
            "port",
            "max_connections",
            "max_message_size",
            "idle_timeout",
            "graceful_shutdown_timeout",
            "password",
            "protected_mode",
            "max_output_buffer",
            "io_threads",
            "max_pending_replies",
            "max_output_buffer_soft",
            "max_output_buffer_soft_seconds",
            "max_query_buffer"));

    Section l = rootSection.section("logging");
    ServerConfig.Logging ld = ServerConfig.Logging.DEFAULT;
    String level =
        l.choice("level", ld.level(), "trace", "debug", "info", "warn", "error", "fatal");
    ServerConfig.Logging logging =
        new ServerConfig.Logging(
            level.equals("fatal") ? "error" : level,
            l.string("output", ld.output()),
            l.choice("format", ld.format(), "text", "json"));
    l.rejectUnknown(Set.of("level", "output", "format"));

    ServerConfig.Wal wal = null;
    if (top.containsKey("wal")) {
      Section w = rootSection.section("wal");
      ServerConfig.Wal wd = ServerConfig.Wal.DEFAULT;
      wal =
          new ServerConfig.Wal(
              Path.of(w.string("data_directory", wd.dataDirectory().toString())),
              w.choice("fsync", wd.fsync(), "always", "everysec", "never"),
              (int) w.integer("flush_batch_size", wd.flushBatchSize(), 1, 1_000_000),
              (int) w.integer("flush_batch_timeout", wd.flushBatchTimeoutMillis(), 0, 1000),
              w.size("max_segment_size", wd.maxSegmentSize(), 4096, 1L << 30),
              w.size("snapshot_threshold", wd.snapshotThreshold(), 0, 1L << 50),
              w.size("max_pending_bytes", wd.maxPendingBytes(), 64L << 10, 1L << 40));
      w.rejectUnknown(
          Set.of(
              "data_directory",
              "fsync",
              "flush_batch_size",
              "flush_batch_timeout",
              "max_segment_size",
              "snapshot_threshold",
              "max_pending_bytes"));
    }

    Section r = rootSection.section("replication");
    ServerConfig.Replication rd = ServerConfig.Replication.DEFAULT;
    String role = r.choice("role", rd.role(), "master", "slave");
    String masterAddress = r.string("master_address", rd.masterAddress());
    try {
      InetAddress.getByName(masterAddress);
    } catch (UnknownHostException ex) {
      throw r.bad("master_address", masterAddress, "an IP address or a resolvable host name");
    }
    ServerConfig.Replication replication =
        new ServerConfig.Replication(
            role,
            masterAddress,
            (int) r.integer("master_port", rd.masterPort(), role.equals("slave") ? 1 : 0, 65535),
            r.optionalString("slave_id", rd.slaveId()),
            r.optionalString("master_password", rd.masterPassword()),
            r.integer("heartbeat", rd.heartbeatMillis(), 10, 60_000),
            r.integer("timeout", rd.timeoutSeconds(), 1, 3600),
            r.integer("backoff_min", rd.backoffMinMillis(), 1, 600_000),
            r.integer("backoff_max", rd.backoffMaxMillis(), 1, 3_600_000),
            r.size("history_retained", rd.historyRetained(), 0, 1L << 50),
            r.bool("resync_over_divergence", rd.resyncOverDivergence()),
            (int) r.integer("listen_port", rd.listenPort(), -1, 65535),
            (int) r.integer("min_slaves_to_write", rd.minSlavesToWrite(), 0, 1000),
            r.integer("min_slaves_max_lag", rd.minSlavesMaxLagSeconds(), 0, 3600),
            (int) r.integer("ack_slaves", rd.ackSlaves(), 0, 1000),
            r.integer("ack_timeout", rd.ackTimeoutMillis(), 1, 3_600_000),
            (int) r.integer("announce_port", rd.announcePort(), 0, 65535));
    if (replication.backoffMaxMillis() < replication.backoffMinMillis()) {
      throw r.bad(
          "backoff_max",
          replication.backoffMaxMillis(),
          "at least backoff_min (" + replication.backoffMinMillis() + ")");
    }
    if (replication.heartbeatMillis() >= replication.timeoutSeconds() * 1000) {
      throw r.bad(
          "heartbeat",
          replication.heartbeatMillis(),
          "less than timeout (" + replication.timeoutSeconds() + " s)");
    }
    r.rejectUnknown(
        Set.of(
            "role",
            "master_address",
            "master_port",
            "slave_id",
            "master_password",
            "heartbeat",
            "timeout",
            "backoff_min",
            "backoff_max",
            "history_retained",
            "resync_over_divergence",
            "listen_port",
            "min_slaves_to_write",
            "min_slaves_max_lag",
            "ack_slaves",
            "ack_timeout",
            "announce_port"));

    Section m = rootSection.section("monitoring");
    ServerConfig.Monitoring md = ServerConfig.Monitoring.DEFAULT;
    ServerConfig.Monitoring monitoring =
        new ServerConfig.Monitoring(
            m.integer(
                "slowlog_log_slower_than", md.slowlogLogSlowerThanMicros(), -1, Long.MAX_VALUE),
            (int) m.integer("slowlog_max_len", md.slowlogMaxLen(), 0, 1_000_000),
            (int) m.integer("metrics_port", md.metricsPort(), -1, 65535),
            m.integer(
                "latency_monitor_threshold",
                md.latencyMonitorThresholdMillis(),
                0,
                Long.MAX_VALUE));
    m.rejectUnknown(
        Set.of(
            "slowlog_log_slower_than",
            "slowlog_max_len",
            "metrics_port",
            "latency_monitor_threshold"));

    return new ServerConfig(
        new ServerConfig.Engine(type, shards, maxMemory),
        network,
        logging,
        wal,
        replication,
        monitoring);
  }

  /** One mapping in the file, remembering which keys were read. */
  private final class Section {
    private final String path;
    private final Map<?, ?> values;

    Section(String path, Map<?, ?> values) {
      this.path = path;
      this.values = values;
    }

    Section section(String key) {
      Object v = values.get(key);
      if (v == null) {
        return new Section(key, Map.of());
      }
      if (!(v instanceof Map<?, ?> m)) {
        throw new ConfigException(
            source + ": " + key + " must be a mapping of keys, got " + describe(v));
      }
      return new Section(key, m);
    }

    ConfigException bad(String key, Object value, String allowed) {
      return new ConfigException(
          source
              + ": "
              + path
              + "."
              + key
              + ": "
              + describe(value)
              + " is not allowed; allowed: "
              + allowed);
    }

    void rejectUnknown(Set<String> known) {
      Set<String> unknown = new LinkedHashSet<>();
      for (Object k : values.keySet()) {
        if (!known.contains(String.valueOf(k))) {
          unknown.add(String.valueOf(k));
        }
      }
      if (!unknown.isEmpty()) {
        String first = unknown.iterator().next();
        throw new ConfigException(
            source
                + ": unknown key '"
                + (path.isEmpty() ? "" : path + ".")
                + first
                + "'; allowed keys here: "
                + String.join(", ", known.stream().sorted().toList()));
      }
    }

    long integer(String key, long dflt, long min, long max) {
      Object v = values.get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof Integer || v instanceof Long)) {
        throw bad(key, v, "an integer from " + min + " to " + max);
      }
      long x = ((Number) v).longValue();
      if (x < min || x > max) {
        throw bad(key, v, "an integer from " + min + " to " + max);
      }
      return x;
    }

    long size(String key, long dflt, long min, long max) {
      Object v = values.get(key);
      if (v == null) {
        return dflt;
      }
      String allowed =
          "a size in bytes from "
              + min
              + " to "
              + max
              + " (a number, or with a unit: 64kb, 512mb, 1gb)";
      long x;
      if (v instanceof Integer || v instanceof Long) {
        x = ((Number) v).longValue();
      } else if (v instanceof String s) {
        Matcher m = SIZE.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
          throw bad(key, v, allowed);
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long mult =
            switch (unit.charAt(0)) {
              case 'k' -> 1L << 10;
              case 'm' -> 1L << 20;
              case 'g' -> 1L << 30;
              default -> 1;
            };
        try {
          x = Math.multiplyExact(Long.parseLong(m.group(1)), mult);
        } catch (ArithmeticException | NumberFormatException ex) {
          throw bad(key, v, allowed);
        }
      } else {
        throw bad(key, v, allowed);
      }
      if (x < min || x > max) {
        throw bad(key, v, allowed);
      }
      return x;
    }

    String string(String key, String dflt) {
      Object v = values.get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof String s) || s.isBlank()) {
        throw bad(key, v, "a non-empty string");
      }
      return s;
    }

    String optionalString(String key, String dflt) {
      Object v = values.get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof String s)) {
        throw bad(key, v, "a string");
      }
      return s;
    }

    boolean bool(String key, boolean dflt) {
      Object v = values.get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof Boolean b)) {
        throw bad(key, v, "true or false");
      }
      return b;
    }

    String choice(String key, String dflt, String... allowed) {
      Object v = values.get(key);
      if (v == null) {
        return dflt;
      }
      if (v instanceof String s && List.of(allowed).contains(s.toLowerCase(Locale.ROOT))) {
        return s.toLowerCase(Locale.ROOT);
      }
      throw bad(key, v, "one of " + String.join(", ", allowed));
    }
  }

  private static String describe(Object v) {
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    if (v instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(v);
  }
}
