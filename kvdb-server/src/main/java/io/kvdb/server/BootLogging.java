package io.kvdb.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.kvdb.server.config.ServerConfig;

/**
 * Logback's configuration until the YAML {@code logging} section is applied: the defaults of that
 * section, set in code. Found by Logback through {@code META-INF/services}, so that no XML
 * configuration is parsed at start-up (Joran and the SAX parser were the largest part of it:
 * docs/benchmarks.md). A {@code logback-test.xml} on the class path (the tests') or {@code
 * -Dlogback.configurationFile} still wins: then this configurator steps aside.
 */
public final class BootLogging extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    return configure(
        context,
        System.getProperty("logback.configurationFile") != null
            || BootLogging.class.getClassLoader().getResource("logback-test.xml") != null);
  }

  static ExecutionStatus configure(LoggerContext context, boolean configuredElsewhere) {
    if (configuredElsewhere) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    LoggingSetup.apply(context, ServerConfig.Logging.DEFAULT);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
