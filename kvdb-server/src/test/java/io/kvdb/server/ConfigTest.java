package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.server.config.ConfigException;
import io.kvdb.server.config.ConfigLoader;
import io.kvdb.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Strict config loading: every validation rule stops startup with one message naming key and value.
 */
class ConfigTest {

  @Test
  void theShippedConfigYamlLoadsAndMatchesTheBuiltInDefaults() throws Exception {
    Path root = Path.of("..", "config.yaml");
    ServerConfig loaded = ConfigLoader.load(root);
    ServerConfig defaults = ServerConfig.defaults();
    assertThat(loaded.engine()).isEqualTo(defaults.engine());
    assertThat(loaded.network()).isEqualTo(defaults.network());
    assertThat(loaded.logging()).isEqualTo(defaults.logging());
    assertThat(loaded.wal()).isEqualTo(defaults.wal());
    assertThat(loaded.replication()).isEqualTo(defaults.replication());
  }

  @Test
  void theGoProjectsConfigStillLoads() {
    ServerConfig c =
        ConfigLoader.parse(
            String.join(
                "\n",
                "engine:",
                "  type: \"in_memory\"",
                "network:",
                "  ip: \"127.0.0.1\"",
                "  port: 3223",
                "  max_connections: 100",
                "  max_message_size: 4096",
                "  idle_timeout: 300",
                "  graceful_shutdown_timeout: 5",
                "logging:",
                "  level: \"info\"",
                "  output: \"stdout\"",
                "wal:",
                "  flush_batch_size: 100",
                "  flush_batch_timeout: 10",
                "  max_segment_size: 10485760",
                "  data_directory: \"/tmp/kv_db/wal\"",
                "replication:",
                "  role: \"master\"",
                "  master_address: \"127.0.0.1\"",
                "  master_port: 3333"),
            "seed.yaml");
    assertThat(c.network().maxConnections()).isEqualTo(100);
    assertThat(c.wal().flushBatchSize()).isEqualTo(100);
    assertThat(c.wal().fsync()).isEqualTo("always");
  }

  @Test
  void aSlaveMayAnnounceAnotherPort() {
    assertThat(
            ConfigLoader.parse("replication: {announce_port: 6380}", "t.yaml")
                .replication()
                .announcePort())
        .isEqualTo(6380);
    assertThat(ServerConfig.Replication.DEFAULT.announcePort()).as("its own port").isZero();
  }

  @Test
  void noWalSectionMeansPureInMemoryAndSizesTakeUnits() {
    ServerConfig c =
        ConfigLoader.parse(
            "network:\n  max_message_size: 64mb\n  max_output_buffer: 1gb\n", "x.yaml");
    assertThat(c.wal()).isNull();
    assertThat(c.network().maxMessageSize()).isEqualTo(64L << 20);
    assertThat(c.network().maxOutputBuffer()).isEqualTo(1L << 30);
    assertThat(
            ConfigLoader.parse("engine:\n  max_memory: 2gb\n", "x.yaml")
                .engine()
                .effectiveMaxMemory())
        .isEqualTo(2L << 30);
    assertThat(ServerConfig.Engine.DEFAULT.effectiveMaxMemory())
        .isEqualTo(Runtime.getRuntime().maxMemory() / 4 * 3);
    assertThat(ConfigLoader.parse("", "empty.yaml").wal()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      'bogus: 1'                                    | unknown key 'bogus'
      'network:\n  prot: 1'                          | unknown key 'network.prot'
      'network:\n  port: 70000'                      | network.port: 70000 is not allowed; allowed: an integer from 0 to 65535
      'network:\n  port: abc'                        | network.port: 'abc'
      'network:\n  max_connections: 0'               | network.max_connections: 0
      'network:\n  max_message_size: 10'             | network.max_message_size: 10
      'network:\n  max_message_size: 2gb'            | network.max_message_size: '2gb'
      'network:\n  idle_timeout: -1'                 | network.idle_timeout: -1
      'network:\n  graceful_shutdown_timeout: 0'     | network.graceful_shutdown_timeout: 0
      'network:\n  protected_mode: maybe'            | network.protected_mode: 'maybe'
      'network:\n  password: \"\"'                   | network.password
      'network:\n  ip: no.such.host.invalid'         | network.ip: 'no.such.host.invalid'
      'network: 5'                                   | network must be a mapping
      'engine:\n  type: rocksdb'                     | engine.type: 'rocksdb'
      'engine:\n  shards: 3'                         | engine.shards: 3
      'engine:\n  max_memory: lots'                  | engine.max_memory: 'lots'
      'logging:\n  level: loud'                      | logging.level: 'loud'
      'logging:\n  format: xml'                      | logging.format: 'xml'
      'wal:\n  fsync: sometimes'                     | wal.fsync: 'sometimes'
      'wal:\n  flush_batch_size: 0'                  | wal.flush_batch_size: 0
      'wal:\n  flush_batch_timeout: 5000'            | wal.flush_batch_timeout: 5000
      'wal:\n  max_segment_size: 100'                | wal.max_segment_size: 100
      'wal:\n  data_dir: x'                          | unknown key 'wal.data_dir'
      'replication:\n  role: leader'                 | replication.role: 'leader'
      'replication:\n  role: slave\n  master_port: 0' | replication.master_port: 0
      'replication:\n  master_port: 70000'           | replication.master_port: 70000
      'replication:\n  heartbeat: 60000\n  timeout: 5' | replication.heartbeat: 60000
      'replication:\n  backoff_min: 500\n  backoff_max: 100' | replication.backoff_max: 100
      'replication:\n  resync_over_divergence: sure' | replication.resync_over_divergence: 'sure'
      'replication:\n  masterauth: x'                | unknown key 'replication.masterauth'
      'replication:\n  announce_port: 65536'        | replication.announce_port: 65536
      '- a list'                                     | the top level must be a mapping
      'network: {port: 1, port: 2}'                  | not valid YAML
      '!!java.io.File x'                             | not valid YAML
      """)
  void invalidValuesAreRejectedNamingKeyAndValue(String yaml, String expected) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml.replace("\\n", "\n"), "test.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("test.yaml")
        .hasMessageContaining(expected);
  }

  @Test
  void aMissingConfigFileIsReportedByName() throws Exception {
    Path missing = Files.createTempDirectory("cfg").resolve("nope.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing)).hasMessageContaining(missing.toString());
  }
}
