package io.kvdb.server.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} on a free loopback port with persistence off, for differential tests:
 * the same commands go to it and to kvdb and the replies are compared. {@link #available()} says
 * whether the binary is installed; tests skip with that reason where it is not.
 */
public final class RedisServer implements AutoCloseable {
  public static final String MISSING =
      "redis-server is not installed (Debian: apt-get install redis-server)";

  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, "redis-server").canExecute()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts redis-server on a free port. A port probed free may be taken before Redis binds it, so a
   * start whose process exits is retried on another; readiness is a PING answered by this very
   * process (INFO's process_id), not merely an open socket, which another server could own.
   */
  public static RedisServer start() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Process p =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--daemonize",
                  "no")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      RedisServer server = new RedisServer(p, port);
      try {
        Awaitility.await("redis-server on port " + port)
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptions()
            .until(() -> !p.isAlive() || server.answersAsItself());
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      if (p.isAlive()) {
        return server;
      }
      last = new IOException("redis-server exited at startup on port " + port);
    }
    throw last;
  }

  private boolean answersAsItself() {
    try (Jedis j = new Jedis("127.0.0.1", port, 1_000)) {
      String info = j.info("server");
      return info.lines().anyMatch(l -> l.equals("process_id:" + process.pid()));
    }
  }

  public int port() {
    return port;
  }

  public Jedis jedis() {
    return new Jedis("127.0.0.1", port, 10_000);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
