package io.kvdb.server.netty;

import io.kvdb.server.command.RuntimeConfig;
import java.util.concurrent.TimeUnit;

/**
 * Redis' {@code checkClientOutputBufferLimits} for one connection: over the hard limit at once, or
 * above the soft limit for longer than its period. Called as each reply is produced, with the bytes
 * produced and not yet taken by the socket. Confined to the connection's event loop.
 */
final class OutputLimitCheck {
  private long softSince = -1; // when the soft limit was first exceeded (nanoTime), or -1

  /**
   * @return why {@code unsent} bytes break {@code limit} (for the log), or null when they do not
   */
  String over(RuntimeConfig.OutputLimit limit, long unsent, long nowNanos) {
    if (limit.hard() > 0 && unsent > limit.hard()) {
      return "hard limit " + limit.hard();
    }
    if (limit.soft() > 0 && unsent > limit.soft()) {
      if (softSince < 0) {
        softSince = nowNanos;
      } else if (nowNanos - softSince > TimeUnit.SECONDS.toNanos(limit.softSeconds())) {
        return "soft limit " + limit.soft() + " for over " + limit.softSeconds() + " s";
      }
      return null;
    }
    softSince = -1;
    return null;
  }
}
