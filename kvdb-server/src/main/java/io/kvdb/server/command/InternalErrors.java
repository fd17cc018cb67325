package io.kvdb.server.command;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an unexpected failure of a command goes: the log (rate-limited, with its stack trace),
 * while the client gets {@link RespErrors#INTERNAL_ERROR} and never the exception's text.
 */
final class InternalErrors {
  private static final Logger log = LoggerFactory.getLogger(InternalErrors.class);
  private static final RateLimitedLog LIMIT = new RateLimitedLog(10, TimeUnit.SECONDS);

  private InternalErrors() {}

  static void report(Throwable t) {
    LIMIT.log(
        held ->
            log.warn(
                "a command failed unexpectedly; the client got '{}'{}",
                RespErrors.INTERNAL_ERROR,
                held == 0 ? "" : " (" + held + " more not logged)",
                t));
  }
}
