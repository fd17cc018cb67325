package io.kvdb.server.metrics;

import io.kvdb.replication.NodeStatus;
import io.kvdb.replication.ReplicationNode;
import io.kvdb.server.command.ServerContext;
import io.kvdb.server.stats.CommandStats;
import io.kvdb.server.stats.ServerStats;
import io.kvdb.wal.SegmentedWal;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The server's figures as Prometheus metrics, read when scraped: the same counters INFO reports
 * (one source, so the two never disagree), and per command a latency histogram built from the
 * HdrHistogram INFO latencystats reads. Nothing is recorded per request for Prometheus: scraping
 * costs the scrape, serving costs nothing more. Thread-safe (reads counters and copies histograms).
 */
final class KvdbCollector implements MultiCollector {
  /** Upper bounds of the command latency buckets, in seconds: 10 µs to 1 s, then +Inf. */
  static final double[] LATENCY_BOUNDS = {
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    Double.POSITIVE_INFINITY
  };

  private final ServerContext server;

  KvdbCollector(ServerContext server) {
    this.server = server;
  }

  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    ServerStats st = server.stats();
    out.add(
        gauge("kvdb_connected_clients", "Clients connected now.", server.clients().connected()));
    out.add(
        gauge("kvdb_max_clients", "The connection limit (maxclients).", server.clients().max()));
    out.add(
        counter(
            "kvdb_connections_received", "Connections accepted.", st.connectionsReceived.sum()));
    out.add(
        counter(
            "kvdb_connections_rejected",
            "Connections refused at the limit.",
            st.connectionsRejected.sum()));
    out.add(counter("kvdb_commands_processed", "Commands run.", st.commandsProcessed.sum()));
    out.add(counter("kvdb_keyspace_hits", "Reads that found their key.", st.keyspaceHits.sum()));
    out.add(
        counter(
            "kvdb_keyspace_misses", "Reads that did not find their key.", st.keyspaceMisses.sum()));
    out.add(counter("kvdb_net_input_bytes", "Bytes read from clients.", st.netInputBytes.sum()));
    out.add(counter("kvdb_net_output_bytes", "Bytes written to clients.", st.netOutputBytes.sum()));
    var engine = server.engine().stats(); // the record an embedding app exports too
    out.add(
        counter("kvdb_expired_keys", "Keys removed because they expired.", engine.expiredKeys()));
    out.add(
        gauge(
            "kvdb_keys", "Keys in memory (expired ones not yet removed included).", engine.keys()));
    out.add(gauge("kvdb_keys_with_expiry", "Keys with a time to live.", engine.keysWithExpiry()));
    out.add(
        gauge(
            "kvdb_memory_dataset_bytes",
            "Estimated heap taken by keys, values and their overhead.",
            engine.usedMemoryBytes()));
    out.add(
        gauge(
            "kvdb_memory_max_bytes",
            "The data's memory limit (maxmemory).",
            engine.maxMemoryBytes()));
    commands(out, server.commandStats());
    wal(out, server.segmentedWal());
    replication(out, server.replication());
    return new MetricSnapshots(out);
  }

  private static void commands(List<MetricSnapshot> out, CommandStats<?> stats) {
    Map<String, CommandStats.Entry> byCommand = stats.commands();
    CounterSnapshot.Builder calls =
        CounterSnapshot.builder().name("kvdb_command_calls").help("Runs of each command.");
    CounterSnapshot.Builder failed =
        CounterSnapshot.builder()
            .name("kvdb_command_failed_calls")
            .help("Runs of each command that answered an error.");
    CounterSnapshot.Builder rejected =
        CounterSnapshot.builder()
            .name("kvdb_command_rejected_calls")
            .help("Times each command was refused before running (arity, AUTH, READONLY, ...).");
    HistogramSnapshot.Builder latency =
        HistogramSnapshot.builder()
            .name("kvdb_command_duration_seconds")
            .help("Time in each command's handler (a durable write's fsync wait not included).");
    byCommand.forEach(
        (name, e) -> {
          Labels l = Labels.of("command", name);
          calls.dataPoint(point(l, e.calls()));
          failed.dataPoint(point(l, e.failed()));
          rejected.dataPoint(point(l, e.rejected()));
          latency.dataPoint(histogram(l, e.latencyNanos(), e.micros() / 1e6));
        });
    out.add(calls.build());
    out.add(failed.build());
    out.add(rejected.build());
    out.add(latency.build());
    CounterSnapshot.Builder errors =
        CounterSnapshot.builder().name("kvdb_error_replies").help("Error replies by error code.");
    stats.errors().forEach((code, n) -> errors.dataPoint(point(Labels.of("code", code), n)));
    out.add(errors.build());
  }

  /** A classic histogram of {@code nanos}, with the latency bucket bounds above (seconds). */
  static HistogramSnapshot.HistogramDataPointSnapshot histogram(
      Labels labels, Histogram nanos, double sumSeconds) {
    return classic(labels, nanos, LATENCY_BOUNDS, 1e9, sumSeconds);
  }

  /**
   * A Prometheus classic histogram from an HdrHistogram: the count in each bucket of {@code bounds}
   * (the last +Inf), a bound {@code b} covering recorded values up to {@code b * scale}.
   */
  private static HistogramSnapshot.HistogramDataPointSnapshot classic(
      Labels labels, Histogram h, double[] bounds, double scale, double sum) {
    long[] counts = new long[bounds.length];
    long below = 0;
    for (int i = 0; i < bounds.length - 1; i++) {
      long upTo = h.getCountBetweenValues(0, (long) (bounds[i] * scale));
      counts[i] = Math.max(0, upTo - below);
      below += counts[i];
    }
    counts[counts.length - 1] = Math.max(0, h.getTotalCount() - below);
    return HistogramSnapshot.HistogramDataPointSnapshot.builder()
        .labels(labels)
        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
        .sum(sum)
        .build();
  }

  private static void wal(List<MetricSnapshot> out, SegmentedWal wal) {
    if (wal == null) {
      return;
    }
    var st = wal.stats(); // the same LogStats as KvStore.stats().log()
    out.add(gauge("kvdb_wal_last_lsn", "LSN of the last record handed to the log.", wal.lastLsn()));
    out.add(
        gauge(
            "kvdb_wal_durable_lsn",
            "Highest LSN durable under the fsync policy.",
            wal.durableLsn()));
    out.add(
        gauge(
            "kvdb_wal_pending_bytes", "Bytes of records queued for the disk.", wal.pendingBytes()));
    out.add(
        gauge(
            "kvdb_wal_failed",
            "1 once the log has failed (writes refused).",
            wal.failure() == null ? 0 : 1));
    out.add(
        counter(
            "kvdb_wal_groups", "Group writes (one write, at most one fsync each).", st.groups()));
    out.add(counter("kvdb_wal_records", "Records written.", st.records()));
    out.add(counter("kvdb_wal_fsyncs", "fsync calls.", st.fsyncs()));
    out.add(counter("kvdb_wal_fsync_seconds", "Time spent in fsync.", st.fsyncNanos() / 1e9));
    out.add(
        gauge(
            "kvdb_wal_disk_bytes", "Bytes of log segments and snapshots on disk.", st.diskBytes()));
    out.add(gauge("kvdb_wal_segments", "Log segment files.", st.segments()));
    out.add(
        counter("kvdb_wal_snapshots", "Snapshots written since the log opened.", st.snapshots()));
    out.add(
        HistogramSnapshot.builder()
            .name("kvdb_wal_fsync_duration_seconds")
            .help("Duration of each fsync of the log.")
            .dataPoint(histogram(Labels.EMPTY, wal.fsyncHistogram(), st.fsyncNanos() / 1e9))
            .build());
    out.add(
        HistogramSnapshot.builder()
            .name("kvdb_wal_group_records")
            .help("Records per group write: how many writes share one write and fsync.")
            .dataPoint(
                classic(Labels.EMPTY, wal.groupSizeHistogram(), GROUP_BOUNDS, 1, st.records()))
            .build());
  }

  /** Bucket bounds for records per group: powers of two up to 4096, then +Inf. */
  static final double[] GROUP_BOUNDS = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, Double.POSITIVE_INFINITY
  };

  private static void replication(List<MetricSnapshot> out, ReplicationNode node) {
    if (node == null) {
      return;
    }
    NodeStatus s = node.status();
    out.add(
        gauge(
            "kvdb_replication_connected_slaves",
            "Slaves connected to this master.",
            s.slaves().size()));
    GaugeSnapshot.Builder lag =
        GaugeSnapshot.builder()
            .name("kvdb_replication_slave_lag_records")
            .help("Records a slave has not yet acknowledged applying.");
    GaugeSnapshot.Builder silent =
        GaugeSnapshot.builder()
            .name("kvdb_replication_slave_ack_age_seconds")
            .help("Seconds since a slave last acknowledged.");
    s.slaves()
        .forEach(
            slave -> {
              Labels l = Labels.of("slave", slave.id());
              lag.dataPoint(
                  GaugeSnapshot.GaugeDataPointSnapshot.builder()
                      .labels(l)
                      .value(Math.max(0, s.lastLsn() - slave.ackedLsn()))
                      .build());
              silent.dataPoint(
                  GaugeSnapshot.GaugeDataPointSnapshot.builder()
                      .labels(l)
                      .value(slave.lagMillis() / 1000.0)
                      .build());
            });
    out.add(lag.build());
    out.add(silent.build());
  }

  private static CounterSnapshot.CounterDataPointSnapshot point(Labels labels, double value) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build())
        .build();
  }

  private static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }
}
