package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** The Prometheus endpoint: real traffic moves its series, and Prometheus' own parsers read it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
  private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";

  @TempDir Path dir;

  private static ServerConfig withMetrics(ServerConfig c) {
    return c.withMonitoring(c.monitoring().withMetricsPort(0));
  }

  private static HttpResponse<String> get(int port, String accept, String password)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(10));
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (password != null) {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("default:" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void seriesMoveWithTrafficAndParseAsPrometheusTextAndOpenMetrics() throws Exception {
    try (TestServer server = TestServer.start(withMetrics(TestServer.durable(dir.resolve("d"))));
        Jedis j = server.jedis()) {
      int port = server.server().metricsPort();
      assertThat(port).isPositive();
      for (int i = 0; i < 3; i++) {
        j.set("k" + i, "v");
      }
      j.get("k1");
      String text = get(port, null, null).body();
      assertThat(text)
          .contains("kvdb_command_calls_total{command=\"set\"} 3.0")
          .contains("kvdb_command_calls_total{command=\"get\"} 1.0")
          .contains("kvdb_command_duration_seconds_count{command=\"set\"} 3")
          .contains("kvdb_keyspace_hits_total 1.0")
          .contains("kvdb_keys 3.0")
          .contains("# TYPE kvdb_wal_fsyncs_total counter")
          .contains("kvdb_wal_fsync_duration_seconds_bucket{le=\"+Inf\"}")
          .contains("kvdb_wal_group_records_count")
          .contains("jvm_memory_used_bytes");
      j.set("k3", "v");
      assertThat(get(port, null, null).body())
          .contains("kvdb_command_calls_total{command=\"set\"} 4.0");
      String openMetrics = get(port, OPENMETRICS, null).body();
      assertThat(openMetrics).endsWith("# EOF\n");

      Needs.tool(
          pythonHasPrometheusClient(),
          "python3 with prometheus_client is not installed (Debian: python3-prometheus-client)");
      assertThat(parse(text, "prometheus_client.parser"))
          .contains("kvdb_command_duration_seconds histogram")
          .contains("kvdb_command_calls counter");
      assertThat(parse(openMetrics, "prometheus_client.openmetrics.parser"))
          .contains("kvdb_command_duration_seconds histogram");
    }
  }

  /** Every series the Grafana dashboard in docs/ queries is one the endpoint serves. */
  @Test
  void theGrafanaDashboardQueriesOnlySeriesTheEndpointServes() throws Exception {
    Path dashboard = Path.of("..", "docs", "grafana", "kvdb-dashboard.json");
    Object json = new org.yaml.snakeyaml.Yaml().load(Files.readString(dashboard)); // JSON is YAML
    java.util.List<String> exprs = new java.util.ArrayList<>();
    collectExprs(json, exprs);
    assertThat(exprs).hasSizeGreaterThan(10);
    // A master with a slave, traffic and an error: every family the dashboard shows has data.
    try (TestServer server = TestServer.start(withMetrics(TestServer.durable(dir.resolve("d"))));
        TestServer slave =
            TestServer.start(
                ReplicationServerTest.slaveOf(dir.resolve("s"), server.replicationPort()));
        Jedis j = server.jedis()) {
      j.set("k", "v");
      j.get("k");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> j.incr("k"));
      assertThat(j.waitReplicas(1, 10_000)).isEqualTo(1);
      String text = get(server.server().metricsPort(), null, null).body();
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\\b(kvdb|jvm)_[a-z_]+").matcher(String.join(" ", exprs));
      int names = 0;
      while (m.find()) {
        assertThat(text).as("the dashboard queries %s", m.group()).contains(m.group());
        names++;
      }
      assertThat(names).isGreaterThan(20);
    }
  }

  private static void collectExprs(Object node, java.util.List<String> out) {
    if (node instanceof java.util.Map<?, ?> map) {
      map.forEach(
          (k, v) -> {
            if ("expr".equals(k) && v instanceof String s) {
              out.add(s);
            } else {
              collectExprs(v, out);
            }
          });
    } else if (node instanceof java.util.List<?> list) {
      list.forEach(v -> collectExprs(v, out));
    }
  }

  @Test
  void aPasswordProtectsTheEndpointToo() throws Exception {
    ServerConfig c = withMetrics(TestServer.durable(dir.resolve("d")));
    c = c.withNetwork(withPassword(c.network(), "s3cret"));
    try (TestServer server = TestServer.start(c)) {
      int port = server.server().metricsPort();
      assertThat(get(port, null, null).statusCode()).isEqualTo(401);
      assertThat(get(port, null, "wrong").statusCode()).isEqualTo(401);
      HttpResponse<String> ok = get(port, null, "s3cret");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("kvdb_connected_clients");
    }
  }

  private static ServerConfig.Network withPassword(ServerConfig.Network n, String password) {
    return new ServerConfig.Network(
        n.ip(),
        n.port(),
        n.maxConnections(),
        n.maxMessageSize(),
        n.idleTimeoutSeconds(),
        n.gracefulShutdownTimeoutSeconds(),
        password,
        n.protectedMode(),
        n.maxOutputBuffer(),
        n.ioThreads(),
        n.maxPendingReplies(),
        n.maxOutputBufferSoft(),
        n.maxOutputBufferSoftSeconds(),
        n.maxQueryBuffer());
  }

  private String python;

  /** Finds a python3 that has prometheus_client: Debian's (apt installs it there) or the PATH's. */
  private boolean pythonHasPrometheusClient() throws Exception {
    for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import prometheus_client").start();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          python = candidate;
          return true;
        }
      } catch (java.io.IOException e) {
        // not there: try the next
      }
    }
    return false;
  }

  /** "name type" per metric family, as the Python client's parser reads {@code exposition}. */
  private String parse(String exposition, String parserModule) throws Exception {
    Path in = Files.writeString(dir.resolve("metrics.txt"), exposition);
    String script =
        "import sys, "
            + parserModule
            + " as p\n"
            + "for f in p.text_string_to_metric_families(open(sys.argv[1]).read()):\n"
            + "    print(f.name, f.type, len(f.samples))\n";
    Process proc =
        new ProcessBuilder(python, "-c", script, in.toString()).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(proc.exitValue()).as("the parser failed: %s", out).isZero();
    return out;
  }
}
