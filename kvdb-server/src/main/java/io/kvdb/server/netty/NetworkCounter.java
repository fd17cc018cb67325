package io.kvdb.server.netty;

import io.kvdb.server.stats.ServerStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes a client connection reads and writes, for INFO's total_net_input_bytes and
 * total_net_output_bytes (and the instantaneous kbps). One instance serves every connection: it
 * keeps no state of its own, only adds to striped counters.
 */
@ChannelHandler.Sharable
final class NetworkCounter extends ChannelDuplexHandler {
  private final ServerStats stats;

  NetworkCounter(ServerStats stats) {
    this.stats = stats;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      stats.netInputBytes.add(b.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      stats.netOutputBytes.add(b.readableBytes());
    }
    ctx.write(msg, promise);
  }
}
