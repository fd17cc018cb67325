package io.kvdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.command.RespErrors;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.server.testing.Needs;
import io.kvdb.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Protected mode with a real non-loopback client (a promise that had no test: the -DENIED reply).
 * The test makes a network namespace of its own joined to this one by a veth pair (10.231.0.0/24,
 * existing only for the test); the server binds the host side without a password, and a client
 * inside the namespace is refused with the -DENIED reply (loopback clients of a public bind are
 * served: LimitsTest). Needs root (ip netns); skipped with a message elsewhere, required in CI.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtectedModeNetnsTest {
  private static final String NS = "kvdbtest" + ProcessHandle.current().pid();
  private static final String HOST_IF = "kv" + (ProcessHandle.current().pid() % 100000) + "h";
  private static final String NS_IF = "kv" + (ProcessHandle.current().pid() % 100000) + "n";
  private static final String HOST_IP = "10.231.0.1";

  static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  static String output(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  static boolean makeNamespace() throws Exception {
    for (List<String> c :
        List.of(
            List.of("ip", "netns", "add", NS),
            List.of("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF),
            List.of("ip", "link", "set", NS_IF, "netns", NS),
            List.of("ip", "addr", "add", HOST_IP + "/24", "dev", HOST_IF),
            List.of("ip", "link", "set", HOST_IF, "up"),
            List.of("ip", "netns", "exec", NS, "ip", "addr", "add", "10.231.0.2/24", "dev", NS_IF),
            List.of("ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up"))) {
      if (run(c.toArray(String[]::new)) != 0) {
        return false;
      }
    }
    return true;
  }

  @AfterEach
  void removeNamespace() throws Exception {
    run("ip", "netns", "del", NS);
    run("ip", "link", "del", HOST_IF);
  }

  @Test
  void aNonLoopbackClientIsDeniedWithoutAPassword() throws Exception {
    Needs.tool(makeNamespace(), "a network namespace (root, iproute2) for a non-loopback client");
    try (TestServer s =
        TestServer.start(
            null,
            n ->
                new ServerConfig.Network(
                    HOST_IP,
                    0,
                    n.maxConnections(),
                    n.maxMessageSize(),
                    0,
                    5,
                    null,
                    true,
                    n.maxOutputBuffer(),
                    0,
                    n.maxPendingReplies(),
                    0,
                    0,
                    n.maxQueryBuffer()))) {
      String denied =
          output(
              "ip",
              "netns",
              "exec",
              NS,
              "redis-cli",
              "-h",
              HOST_IP,
              "-p",
              Integer.toString(s.port()),
              "ping");
      // redis-cli prints the error without its '-': kvdb's wording, naming its own config keys.
      assertThat(denied.strip()).isEqualTo(RespErrors.PROTECTED_MODE);
      assertThat(denied).startsWith("DENIED kvdb is running in protected mode");
      assertThat(s.server().context().stats().connectionsReceived.sum()).isPositive();
    }
  }
}
