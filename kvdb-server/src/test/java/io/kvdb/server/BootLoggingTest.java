package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The start-up logging configuration set in code, in place of a parsed logback.xml. */
class BootLoggingTest {
  @Test
  void withoutAnotherConfigurationItLogsTheDefaultFormatAndQuietsNetty() {
    LoggerContext lc = new LoggerContext();
    assertThat(BootLogging.configure(lc, false))
        .isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    ch.qos.logback.classic.Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(lc.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    var appender =
        (OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender("main");
    assertThat(appender).isNotNull();
    LoggingEvent e =
        new LoggingEvent(
            "x",
            lc.getLogger("io.kvdb.server.Main"),
            Level.INFO,
            "hello {}",
            null,
            new Object[] {"there"});
    e.setThreadName("main");
    String line = new String(appender.getEncoder().encode(e), StandardCharsets.UTF_8);
    assertThat(line)
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ INFO  \\[main\\] Main - hello there\\R");
  }

  @Test
  void aTestOrExplicitConfigurationWins() {
    LoggerContext lc = new LoggerContext();
    assertThat(BootLogging.configure(lc, true)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(lc.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("main")).isNull();
  }
}
