package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.yaml.snakeyaml.Yaml;

/** logging.format json: one parseable object per line with the stable fields and event fields. */
class JsonLogEncoderTest {
  private final LoggerContext lc = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  private final Logger logger = lc.getLogger("io.kvdb.wal.SegmentedWal");
  private final JsonLogEncoder encoder = new JsonLogEncoder();

  private String encode(LoggingEvent e) {
    String line = new String(encoder.encode(e), StandardCharsets.UTF_8);
    assertThat(line).endsWith("\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n"); // one line
    return line;
  }

  @Test
  void eachEventIsOneJsonObjectWithStableFieldsAndItsOwnKeys() {
    LoggingEvent e =
        new LoggingEvent(
            Logger.class.getName(),
            logger,
            Level.WARN,
            "torn tail in {} at offset {}: \"quoted\"\nsecond line",
            null,
            new Object[] {"x.wal", 4096});
    e.addKeyValuePair(new KeyValuePair("file", "00000000000000000001.wal"));
    e.addKeyValuePair(new KeyValuePair("offset", 4096L));
    Map<String, Object> first = new Yaml().load(encode(e)); // JSON is YAML
    assertThat(first)
        .containsEntry("level", "WARN")
        .containsEntry("logger", "io.kvdb.wal.SegmentedWal")
        .containsEntry("thread", Thread.currentThread().getName())
        .containsEntry("msg", "torn tail in x.wal at offset 4096: \"quoted\"\nsecond line")
        .containsEntry("file", "00000000000000000001.wal")
        .containsEntry("offset", 4096);
    assertThat((String) first.get("ts"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

    LoggingEvent failed =
        new LoggingEvent(
            Logger.class.getName(),
            logger,
            Level.ERROR,
            "failed",
            new IllegalStateException("disk full"),
            null);
    Map<String, Object> second = new Yaml().load(encode(failed));
    assertThat(second)
        .containsEntry("level", "ERROR")
        .containsEntry("error", "java.lang.IllegalStateException: disk full");
    assertThat((String) second.get("stack")).contains("JsonLogEncoderTest");
  }
}
