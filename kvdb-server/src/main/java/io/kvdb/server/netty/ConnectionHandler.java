package io.kvdb.server.netty;

import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.RateLimitedLog;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import io.kvdb.server.command.RuntimeConfig;
import io.kvdb.server.command.ServerContext;
import io.kvdb.server.connection.ConnectionState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's requests and writes their replies in request order.
 *
 * <h2>Ordering</h2>
 *
 * Requests run on this channel's event loop as they are decoded. A reply that is ready and has
 * nothing queued before it goes straight into the output buffer; otherwise it waits in a queue
 * behind the deferred reply at its head (a write waiting for its fsync). When a deferred reply's
 * future completes, on the WAL's thread, a drain task is posted back to the event loop, which never
 * blocks. Replies are flushed once per read batch, so pipelined requests share one write.
 *
 * <h2>Back-pressure</h2>
 *
 * Memory follows the disk, not the clients. Before a request runs, the connection stops reading
 * (Netty autoRead off) when
 *
 * <ul>
 *   <li>it is a write and the log holds more queued bytes than {@code wal.max_pending_bytes}
 *       ({@link io.kvdb.core.KvStore#whenWritable}): it reads again when the log has room; or
 *   <li>{@code network.max_pending_replies} of its replies are waiting for durability: it reads
 *       again when half of them left.
 * </ul>
 *
 * Requests already decoded from what was read wait in a backlog (at most one read buffer) and run
 * in order on resume. Reads on other connections go on (with {@code fsync: always} their replies
 * still wait for the durability barrier). The store never blocks this loop: it is built with {@code
 * asyncWritesWaitForLog(false)}.
 *
 * <h2>Limits</h2>
 *
 * The connection limit and protected mode are checked when the connection opens. A protocol error,
 * or QUIT, closes the connection after every earlier reply is written. The output buffer limit
 * (Redis' {@code client-output-buffer-limit normal}: {@code max_output_buffer}, and the soft limit
 * with its period) is checked as each reply is produced, counting the replies of the current read
 * batch not yet handed to the socket as well as those Netty holds: a client that sends but does not
 * read is disconnected within one reply of the limit, however many requests one read held, and the
 * rest of its batch is not run. Replies leave in chunks of {@link #FLUSH_AT} bytes within a batch,
 * so a reader that keeps up never holds a batch's worth. An idle client is closed after {@code
 * idle_timeout}. Every per-connection warning is rate-limited ({@link RateLimitedLog}).
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

  /** Replies of one read batch are handed to the socket once they hold this many bytes. */
  static final int FLUSH_AT = 64 * 1024;

  private static final RateLimitedLog REFUSED_LOG = new RateLimitedLog(10, TimeUnit.SECONDS);
  private static final RateLimitedLog OUTPUT_LIMIT_LOG = new RateLimitedLog(10, TimeUnit.SECONDS);
  private static final RateLimitedLog RESET_LOG = new RateLimitedLog(10, TimeUnit.SECONDS);

  private final ServerContext server;
  private final ConnectionState state;
  private final CommandContext commands;
  private final AtomicInteger inFlight;
  private final ArrayDeque<Reply> queue = new ArrayDeque<>();
  private volatile int queuedCount; // queue.size(), for CLIENT LIST on other threads
  private final ArrayDeque<Object> backlog = new ArrayDeque<>(); // read while paused
  private final int maxPendingReplies;
  private boolean paused;
  private boolean pausedForReplies;
  private boolean inputEnded; // the client sent all it will send: close once the backlog ran
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private ChannelHandlerContext ctx;
  private ByteBuf out;
  private boolean closing;
  private boolean registered;
  private boolean cutOff; // disconnected for its output: produce nothing more
  private final OutputLimitCheck outputLimit = new OutputLimitCheck();
  private Reply.Deferred armed;

  public ConnectionHandler(ServerContext server, ConnectionState state, AtomicInteger inFlight) {
    this.server = server;
    this.state = state;
    this.commands = new CommandContext(server, state);
    this.inFlight = inFlight;
    this.maxPendingReplies = server.config().network().maxPendingReplies();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    state.local(ctx.channel().localAddress());
    RespRequestDecoder decoder = ctx.pipeline().get(RespRequestDecoder.class);
    state.probe(
        new ConnectionState.Probe() {
          @Override
          public long inputBufferBytes() {
            return decoder == null ? 0 : decoder.bufferedBytes();
          }

          @Override
          public long outputBufferBytes() {
            var out = ctx.channel().unsafe().outboundBuffer();
            return out == null ? 0 : out.totalPendingWriteBytes();
          }

          @Override
          public int queuedReplies() {
            return queuedCount;
          }

          @Override
          public void kill() {
            ctx.executor().execute(() -> ctx.close());
          }
        });
    commands.pushWith(
        reply ->
            ctx.executor()
                .execute(
                    () -> {
                      if (ctx.channel().isActive() && !closing) {
                        enqueue(reply);
                        flush();
                      }
                    }));
    server.stats().connectionsReceived.increment();
    if (refusedByProtectedMode(ctx)) {
      warn(REFUSED_LOG, "refused (protected mode: bound to a public address without a password)");
      rejectAndClose(ctx, RespErrors.PROTECTED_MODE);
      return;
    }
    if (!server.clients().tryRegister(state)) {
      server.stats().connectionsRejected.increment();
      warn(REFUSED_LOG, "refused: max number of clients reached (" + server.clients().max() + ")");
      rejectAndClose(ctx, RespErrors.MAX_CLIENTS);
      return;
    }
    registered = true;
    ctx.fireChannelActive();
  }

  /** One per-connection warning, rate-limited per kind: "client: what", with how many were held. */
  private void warn(RateLimitedLog kind, String what) {
    String client = String.valueOf(ctx.channel().remoteAddress());
    kind.log(
        held ->
            log.atWarn()
                .addKeyValue("client", client)
                .log(
                    "{}: {}{}",
                    client,
                    what,
                    held == 0 ? "" : " (" + held + " more like it not logged)"));
  }

  private void rejectAndClose(ChannelHandlerContext ctx, String error) {
    closing = true;
    ByteBuf b = ctx.alloc().buffer();
    Reply.error(error).write(b);
    ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
  }

  private boolean refusedByProtectedMode(ChannelHandlerContext ctx) {
    return ProtectedMode.refuses(
        server.runtime().protectedMode(),
        server.runtime().password(),
        ctx.channel().localAddress(),
        ctx.channel().remoteAddress());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state.releaseBlocked(); // a blocked WAIT holds nothing once its client is gone
    if (registered) {
      server.clients().unregister(state);
    }
    server.connectionClosed(state); // its WATCHes and MONITOR go with it
    inFlight.addAndGet(-queue.size());
    queue.clear();
    queuedCount = 0;
    backlog.clear();
    if (out != null) {
      out.release();
      out = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      return; // after QUIT or a protocol error, further input is discarded
    }
    if (paused || !backlog.isEmpty()) {
      backlog.add(msg);
      return;
    }
    if (mustPause(msg)) {
      backlog.add(msg);
      return;
    }
    commands.batch(true); // until this read is complete: one clock read per command
    run(msg);
  }

  /** Runs the backlog in order until it is empty or the connection pauses again. */
  private void runBacklog() {
    commands.batch(false); // a later event: the first command reads the clock afresh
    while (!paused && !closing && !backlog.isEmpty()) {
      if (mustPause(backlog.peek())) {
        return;
      }
      run(backlog.poll());
    }
  }

  /**
   * Whether {@code msg} must wait, and if so stops reading until it may run; see the class note.
   */
  private boolean mustPause(Object msg) {
    if (queue.size() >= maxPendingReplies) {
      pause(true);
      return true;
    }
    if (msg instanceof byte[][] argv) {
      var writable = server.store().whenWritable();
      if (!writable.isDone() && server.registry().isWrite(argv)) {
        pause(false);
        writable.whenComplete((v, e) -> ctx.executor().execute(this::resume));
        return true;
      }
    }
    return false;
  }

  private void pause(boolean forReplies) {
    paused = true;
    pausedForReplies = forReplies;
    ctx.channel().config().setAutoRead(false);
    server.stats().readPauses.increment();
  }

  private void resume() {
    if (!paused || !ctx.channel().isActive()) {
      return;
    }
    paused = false;
    runBacklog();
    if (!paused && inputEnded && backlog.isEmpty()) {
      closing = true;
    } else if (!paused && !server.stopping()) {
      ctx.channel().config().setAutoRead(true);
    }
    flush();
  }

  private void run(Object msg) {
    if (msg instanceof ProtocolError e) {
      server.stats().protocolErrors.increment();
      server.commandStats().error(e.message());
      log.debug("protocol error from {}: {}", ctx.channel().remoteAddress(), e.message());
      enqueue(Reply.error(e.message()));
      closing = true;
      return;
    }
    Reply reply = server.registry().execute(commands, (byte[][]) msg);
    if (state.takeReplyWanted()) { // CLIENT REPLY OFF / SKIP
      enqueue(reply);
    }
    if (commands.takeCloseAfterReply()) {
      closing = true;
    }
  }

  private void enqueue(Reply reply) {
    if (queue.isEmpty() && reply.ready()) {
      write(reply);
      return;
    }
    queue.add(reply);
    queuedCount = queue.size();
    inFlight.incrementAndGet();
    drain(); // whatever became ready meanwhile goes now
    armHead();
  }

  /**
   * Makes the head's completion trigger a drain. One callback per connection suffices: a
   * connection's durability futures complete in LSN order, which is request order, so when the head
   * completes, the replies behind it are usually ready too. Registering on an already completed
   * future runs the callback at once, so no completion can slip past.
   */
  @SuppressWarnings("ReferenceEquality") // the same reply object, not an equal one
  private void armHead() {
    if (queue.peek() instanceof Reply.Deferred d && d != armed) {
      armed = d;
      d.future().whenComplete((r, e) -> scheduleDrain());
    }
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      ctx.executor()
          .execute(
              () -> {
                drainScheduled.set(false);
                drain();
                armHead();
                if (pausedForReplies && paused && queue.size() <= maxPendingReplies / 2) {
                  resume();
                }
                flush();
              });
    }
  }

  private void drain() {
    while (!queue.isEmpty() && queue.peek().ready()) {
      write(queue.poll());
      queuedCount = queue.size();
      inFlight.decrementAndGet();
    }
  }

  private void write(Reply reply) {
    if (cutOff) {
      return;
    }
    if (out == null) {
      out = ctx.alloc().ioBuffer();
    }
    reply.write(out);
    if (out.readableBytes() >= FLUSH_AT) {
      ByteBuf b = out;
      out = null;
      ctx.writeAndFlush(b, ctx.voidPromise());
    }
    enforceOutputLimit();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    commands.batch(false);
    flush();
    ctx.fireChannelReadComplete();
  }

  private void flush() {
    if (cutOff) {
      return;
    }
    if (out != null) {
      ByteBuf b = out;
      out = null;
      var f = ctx.writeAndFlush(b);
      if (closing && queue.isEmpty()) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    } else if (closing && queue.isEmpty()) {
      ctx.close();
    }
  }

  /** The bytes of replies produced for this client and not yet taken by its socket. */
  private long unsentBytes() {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    return (out == null ? 0 : out.readableBytes())
        + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
  }

  /** The output limit (Redis' normal class), checked as each reply is produced. */
  private void enforceOutputLimit() {
    RuntimeConfig.OutputLimit limit = server.runtime().normalOutput();
    if (limit.none()) {
      return;
    }
    long unsent = unsentBytes();
    String over = outputLimit.over(limit, unsent, System.nanoTime());
    if (over != null) {
      cutOffForOutput(unsent, over);
    }
  }

  private void cutOffForOutput(long unsent, String over) {
    server.stats().outputBufferDisconnects.increment();
    warn(
        OUTPUT_LIMIT_LOG,
        "closing: "
            + unsent
            + " bytes of replies unread, over client-output-buffer-limit normal ("
            + over
            + ")");
    cutOff = true;
    closing = true;
    if (out != null) {
      out.release();
      out = null;
    }
    backlog.clear();
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      if (state.isBlocked()) {
        // A client that went away while blocked (WAIT with no timeout) is freed at once, as Redis
        // frees it: waiting for a reply nobody may read would hold its slot forever.
        closing = true;
        ctx.close();
        return;
      }
      // The client sent everything it will send (nc at end of input): answer it all, then close.
      if (!backlog.isEmpty()) {
        inputEnded = true; // after the backlog has run (resume)
        return;
      }
      closing = true;
      flush();
      return;
    }
    if (evt instanceof IdleStateEvent && queue.isEmpty() && !paused) {
      log.debug("closing idle client {}", ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof OutOfMemoryError) {
      // Direct memory ran out for this client's buffers (a big bulk, big replies): the client is
      // reset, the server goes on. Worth a warning: the operator may need a larger
      // -XX:MaxDirectMemorySize or smaller limits.
      warn(RESET_LOG, "closing: out of memory for its buffers (" + cause.getMessage() + ")");
    } else {
      log.debug("closing {} after: {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }
}
