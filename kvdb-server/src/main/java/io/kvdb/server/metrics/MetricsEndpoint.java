package io.kvdb.server.metrics;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import io.kvdb.server.command.ServerContext;
import io.kvdb.server.netty.ProtectedMode;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The Prometheus endpoint: {@code http://<network.ip>:<monitoring.metrics_port>/metrics}, in the
 * Prometheus text format or OpenMetrics (by the scraper's Accept header), served by the Prometheus
 * Java client's HTTP server from a registry holding {@link KvdbCollector} and the JVM metrics.
 *
 * <p>Protected like the client port, with the settings CONFIG SET leaves: with a password, HTTP
 * basic authentication (any user name, the client password); without one, in protected mode and
 * bound to a non-loopback address, only loopback scrapers are answered (403 for others).
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HTTPServer http;

  private MetricsEndpoint(HTTPServer http) {
    this.http = http;
  }

  /** Starts serving on {@code ip:port} (port 0: any free one). */
  public static MetricsEndpoint start(ServerContext server, String ip, int port)
      throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new KvdbCollector(server));
    JvmMetrics.builder().register(registry);
    HTTPServer http =
        HTTPServer.builder()
            .hostname(ip)
            .port(port)
            .registry(registry)
            .authenticator(new Guard(server))
            .buildAndStart();
    return new MetricsEndpoint(http);
  }

  /** The port it listens on. */
  public int port() {
    return http.getPort();
  }

  @Override
  public void close() {
    http.close();
  }

  /** The client port's password and protected mode, applied to HTTP. */
  private static final class Guard extends Authenticator {
    private final ServerContext server;
    private final BasicAuthenticator basic;

    Guard(ServerContext server) {
      this.server = server;
      this.basic =
          new BasicAuthenticator("kvdb") {
            @Override
            public boolean checkCredentials(String user, String password) {
              String expected = server.runtime().password();
              return expected != null
                  && MessageDigest.isEqual(
                      expected.getBytes(StandardCharsets.UTF_8),
                      password.getBytes(StandardCharsets.UTF_8));
            }
          };
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
      var rt = server.runtime();
      if (rt.password() != null) {
        return basic.authenticate(exchange);
      }
      InetSocketAddress local = exchange.getLocalAddress();
      InetSocketAddress remote = exchange.getRemoteAddress();
      if (ProtectedMode.refuses(rt.protectedMode(), null, local, remote)) {
        return new Failure(403);
      }
      return new Success(new com.sun.net.httpserver.HttpPrincipal("anonymous", "kvdb"));
    }
  }
}
