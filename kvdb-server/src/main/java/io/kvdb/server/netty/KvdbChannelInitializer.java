package io.kvdb.server.netty;

import io.kvdb.server.command.ServerContext;
import io.kvdb.server.connection.ConnectionState;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipeline of a client connection: byte counter → [idle timeout] → request decoder → connection
 * handler.
 */
public final class KvdbChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final ServerContext server;
  private final AtomicInteger inFlight;
  private final ChannelGroup clients;
  private final NetworkCounter counter;

  public KvdbChannelInitializer(
      ServerContext server, AtomicInteger inFlight, ChannelGroup clients) {
    this.server = server;
    this.counter = new NetworkCounter(server.stats());
    this.inFlight = inFlight;
    this.clients = clients;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    clients.add(ch);
    var net = server.config().network();
    var runtime = server.runtime();
    ConnectionState state =
        new ConnectionState(
            server.clients().nextId(), ch.remoteAddress(), runtime.password() == null);
    ch.pipeline().addLast("bytes", counter);
    long idle = runtime.idleTimeoutSeconds();
    if (idle > 0) {
      ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.SECONDS));
    }
    ch.pipeline()
        .addLast(
            "decoder", new RespRequestDecoder(state, net.maxMessageSize(), runtime::maxQueryBuffer))
        .addLast("handler", new ConnectionHandler(server, state, inFlight));
  }
}
