package io.kvdb.server.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A test's external tool (redis-server, redis-cli, a Python package). On a developer's machine a
 * missing tool skips the check with the reason; in CI ({@code CI=true}, which {@code .ci/run}'s
 * runner sets, and whose script installs every tool) it fails: a suite that silently skips is not
 * green.
 */
public final class Needs {
  private Needs() {}

  public static void tool(boolean present, String whatIsMissing) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail("CI must have it, .ci/run installs it: " + whatIsMissing);
    }
    Assumptions.abort(whatIsMissing);
  }
}
