package io.kvdb.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.kvdb.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Configures Logback from the {@code logging} section: level, output and format. */
final class LoggingSetup {
  private LoggingSetup() {}

  static void apply(ServerConfig.Logging cfg) {
    apply((LoggerContext) LoggerFactory.getILoggerFactory(), cfg);
  }

  /**
   * Configures {@code lc} (also while Logback initialises: see {@link BootLogging}). Applying the
   * configuration {@code lc} already runs with is skipped: with the defaults, start-up would
   * otherwise build the same appender twice.
   */
  static synchronized void apply(LoggerContext lc, ServerConfig.Logging cfg) {
    if (cfg.equals(lc.getObject(APPLIED))
        && lc.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("main") != null) {
      return;
    }
    lc.reset();
    Encoder<ILoggingEvent> encoder;
    if (cfg.format().equals("json")) {
      JsonLogEncoder json = new JsonLogEncoder();
      json.setContext(lc);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(lc);
      text.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n");
      text.start();
      encoder = text;
    }
    OutputStreamAppender<ILoggingEvent> appender;
    switch (cfg.output()) {
      case "stdout", "stderr" -> {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setTarget(cfg.output().equals("stdout") ? "System.out" : "System.err");
        appender = console;
      }
      default -> {
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setFile(cfg.output());
        file.setAppend(true);
        appender = file;
      }
    }
    appender.setContext(lc);
    appender.setName("main");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(cfg.level(), Level.INFO));
    root.addAppender(appender);
    lc.getLogger("io.netty").setLevel(cfg.level().equals("trace") ? Level.DEBUG : Level.WARN);
    lc.putObject(APPLIED, cfg);
  }

  /** Where a context keeps the {@code logging} section it was configured with. */
  private static final String APPLIED = "kvdb.logging";
}
