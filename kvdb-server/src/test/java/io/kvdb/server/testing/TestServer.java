package io.kvdb.server.testing;

import io.kvdb.server.KvdbServer;
import io.kvdb.server.config.ServerConfig;
import io.kvdb.wal.SegmentedWalBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import redis.clients.jedis.Jedis;

/** A real server on an ephemeral loopback port, for integration tests. */
public final class TestServer implements AutoCloseable {
  private final KvdbServer server;

  private TestServer(KvdbServer server) {
    this.server = server;
  }

  /** An in-memory server with default limits. */
  public static TestServer inMemory() throws InterruptedException {
    return start(null, n -> n);
  }

  /**
   * @param dataDir the WAL directory (fsync always), or null for in-memory
   * @param network adjusts the network section (the port is forced to 0)
   */
  public static TestServer start(Path dataDir, UnaryOperator<ServerConfig.Network> network)
      throws InterruptedException {
    ServerConfig base = ServerConfig.defaults();
    ServerConfig.Wal wal =
        dataDir == null
            ? null
            : new ServerConfig.Wal(dataDir, "always", 1024, 1, 64L << 20, 256L << 20, 64L << 20);
    ServerConfig cfg = base.withWal(wal).withNetwork(network.apply(base.network()).withPort(0));
    return new TestServer(KvdbServer.start(freePorts(cfg)));
  }

  public static TestServer start(ServerConfig cfg) throws InterruptedException {
    return new TestServer(KvdbServer.start(freePorts(cfg)));
  }

  /**
   * The client port, and a master's replication port, on any free port: tests run servers side by
   * side. A slave keeps the master port it was given.
   */
  public static ServerConfig freePorts(ServerConfig cfg) {
    ServerConfig c = cfg.withNetwork(cfg.network().withPort(0));
    var r = c.replication();
    return r.role().equals("master")
        ? c.withReplication(r.withRole("master", r.masterAddress(), 0))
        : c;
  }

  /** The port this server accepts slaves on (0 if none). */
  public int replicationPort() {
    var node = server.replication();
    return node == null ? 0 : node.status().listenPort();
  }

  /** A server whose WAL the caller adjusts beyond the config (fault injection). */
  public static TestServer startWithWal(ServerConfig cfg, UnaryOperator<SegmentedWalBuilder> wal)
      throws InterruptedException {
    return new TestServer(KvdbServer.start(freePorts(cfg), wal));
  }

  /** The default config with a WAL in {@code dataDir} (fsync always). */
  public static ServerConfig durable(Path dataDir) {
    return ServerConfig.defaults()
        .withWal(ServerConfig.Wal.DEFAULT.withDirectory(dataDir))
        .withNetwork(ServerConfig.defaults().network().withPort(0));
  }

  public int port() {
    return server.port();
  }

  public KvdbServer server() {
    return server;
  }

  public Jedis jedis() {
    return new Jedis("127.0.0.1", port(), 10_000);
  }

  public RawClient raw() throws IOException {
    return new RawClient(new Socket("127.0.0.1", port()));
  }

  @Override
  public void close() {
    server.shutdown();
  }

  /** A plain socket: send bytes, read lines or exact bytes, see whether the server closed. */
  public static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(Socket socket) throws IOException {
      this.socket = socket;
      socket.setSoTimeout(10_000);
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    public RawClient send(String text) throws IOException {
      return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawClient send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      return this;
    }

    /** Reads one line without its CRLF. */
    public String line() throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          int n = b.length();
          return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
        }
        b.append((char) c);
      }
      throw new IOException("connection closed after: " + b);
    }

    /** Whether the server closed the connection (reads end of stream). */
    public boolean closedByServer() throws IOException {
      try {
        return in.read() == -1;
      } catch (java.net.SocketException e) {
        return true; // reset
      }
    }

    public Socket socket() {
      return socket;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
