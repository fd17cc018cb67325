package io.kvdb.server.netty;

import io.kvdb.server.command.RespErrors;
import io.kvdb.server.connection.ConnectionState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Decodes client requests: RESP2 arrays of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}),
 * and inline commands (one line of text, split by {@link InlineParser}), into {@code byte[][]}.
 *
 * <h2>Limits</h2>
 *
 * Every length is checked before its bytes are buffered: a bulk string or a whole request larger
 * than {@code maxMessageSize}, an inline line or a length line longer than 64 KiB, more than 1M
 * arguments, and, before AUTH, more than 10 arguments or a bulk over 16 KiB (Redis' rules). Any
 * violation emits one {@link ProtocolError} and discards all further input; the dispatcher replies
 * and closes.
 *
 * <p>Memory follows what arrived, never what was declared: the argument array of {@code *N} starts
 * at no more than {@link #FIRST_ARGS} slots and doubles as arguments arrive (Redis' fix for
 * CVE-2021-32675), a bulk's bytes are copied out only once all of them are here, and the bytes
 * buffered but not yet parsed (the query buffer) may not exceed {@code maxQueryBuffer} (Redis'
 * {@code client-query-buffer-limit}); past it the client is told so and closed.
 *
 * <p>One request per {@link #decode} call, so the dispatcher has handled an AUTH before the next
 * request's pre-AUTH limits are checked. Not sharable: one per channel.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {
  /** Bytes read but not parsed yet (CLIENT LIST's qbuf); a racy read from other threads is fine. */
  public long bufferedBytes() {
    return internalBuffer().readableBytes();
  }

  static final int MAX_LINE = 64 * 1024;
  private static final int MAX_ARGS = 1024 * 1024;

  /** The argument slots allocated for a header before any argument arrived. */
  static final int FIRST_ARGS = 1024;

  private static final int UNAUTH_MAX_ARGS = 10;
  private static final int UNAUTH_MAX_BULK = 16 * 1024;

  private final ConnectionState state;
  private final long maxMessageSize;
  private final LongSupplier maxQueryBuffer;
  private final int maxInline;
  private byte[][] args; // the multibulk request being read, or null; grows as arguments arrive
  private int argCount; // the arguments its header declared
  private int argIndex;
  private long bulkLength = -1;
  private long requestBytes;
  private boolean failed;

  public RespRequestDecoder(ConnectionState state, long maxMessageSize) {
    this(state, maxMessageSize, () -> 0);
  }

  /**
   * @param maxQueryBuffer the most bytes buffered unparsed (read at each decode, so CONFIG SET
   *     client-query-buffer-limit applies at once); 0 for no limit
   */
  public RespRequestDecoder(
      ConnectionState state, long maxMessageSize, LongSupplier maxQueryBuffer) {
    this.state = state;
    this.maxMessageSize = maxMessageSize;
    this.maxQueryBuffer = maxQueryBuffer;
    this.maxInline = (int) Math.min(MAX_LINE, maxMessageSize);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    long queryLimit = maxQueryBuffer.getAsLong();
    if (queryLimit > 0 && in.readableBytes() > queryLimit) {
      fail(in, out, RespErrors.queryBufferLimit(in.readableBytes(), queryLimit));
      return;
    }
    if (args == null) {
      if (in.getByte(in.readerIndex()) == '*') {
        if (!readMultibulkHeader(in, out)) {
          return;
        }
        if (args == null) {
          return; // "*0" or "*-1": an empty request, skipped
        }
      } else {
        readInline(in, out);
        return;
      }
    }
    while (argIndex < argCount) {
      if (bulkLength < 0 && !readBulkHeader(in, out)) {
        return;
      }
      if (in.readableBytes() < bulkLength + 2) {
        return;
      }
      byte[] a = new byte[(int) bulkLength];
      in.readBytes(a);
      in.skipBytes(2);
      if (argIndex == args.length) {
        args = Arrays.copyOf(args, (int) Math.min(argCount, 2L * args.length));
      }
      args[argIndex++] = a;
      bulkLength = -1;
    }
    out.add(args);
    args = null;
  }

  private boolean readMultibulkHeader(ByteBuf in, List<Object> out) {
    int eol = in.forEachByte(ByteProcessor.FIND_LF);
    if (eol < 0) {
      if (in.readableBytes() > MAX_LINE) {
        fail(in, out, RespErrors.PROTOCOL_BIG_MBULK);
      }
      return false;
    }
    long n = parseLength(in, in.readerIndex() + 1, eol);
    if (n == Long.MIN_VALUE || n > MAX_ARGS) {
      fail(in, out, RespErrors.PROTOCOL_MULTIBULK_LENGTH);
      return false;
    }
    if (!state.authenticated() && n > UNAUTH_MAX_ARGS) {
      fail(in, out, RespErrors.PROTOCOL_UNAUTH_MULTIBULK);
      return false;
    }
    in.readerIndex(eol + 1);
    if (n > 0) {
      argCount = (int) n;
      args = new byte[Math.min(argCount, FIRST_ARGS)][];
      argIndex = 0;
      bulkLength = -1;
      requestBytes = 0;
    }
    return true;
  }

  private boolean readBulkHeader(ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return false;
    }
    byte first = in.getByte(in.readerIndex());
    if (first != '$') {
      fail(in, out, RespErrors.protocolExpectedDollar(first));
      return false;
    }
    int eol = in.forEachByte(ByteProcessor.FIND_LF);
    if (eol < 0) {
      if (in.readableBytes() > MAX_LINE) {
        fail(in, out, RespErrors.PROTOCOL_BIG_BULK_COUNT);
      }
      return false;
    }
    long len = parseLength(in, in.readerIndex() + 1, eol);
    if (len < 0 || len > maxMessageSize) {
      fail(in, out, RespErrors.protocolBulkLength(maxMessageSize));
      return false;
    }
    if (!state.authenticated() && len > UNAUTH_MAX_BULK) {
      fail(in, out, RespErrors.PROTOCOL_UNAUTH_BULK);
      return false;
    }
    requestBytes += len;
    if (requestBytes > maxMessageSize) {
      fail(in, out, RespErrors.protocolRequestTooBig(maxMessageSize));
      return false;
    }
    in.readerIndex(eol + 1);
    bulkLength = len;
    return true;
  }

  private void readInline(ByteBuf in, List<Object> out) {
    int eol = in.forEachByte(ByteProcessor.FIND_LF);
    if (eol < 0) {
      if (in.readableBytes() > maxInline) {
        fail(in, out, RespErrors.PROTOCOL_BIG_INLINE);
      }
      return;
    }
    int length = eol - in.readerIndex();
    if (length > maxInline) {
      fail(in, out, RespErrors.PROTOCOL_BIG_INLINE);
      return;
    }
    if (length > 0 && in.getByte(eol - 1) == '\r') {
      length--;
    }
    byte[] line = new byte[length];
    in.getBytes(in.readerIndex(), line);
    in.readerIndex(eol + 1);
    List<byte[]> split = InlineParser.split(line);
    if (split == null) {
      fail(in, out, RespErrors.PROTOCOL_UNBALANCED_QUOTES);
      return;
    }
    if (!split.isEmpty()) {
      out.add(split.toArray(new byte[0][]));
    }
  }

  /** Parses the decimal between {@code from} and the line end; Long.MIN_VALUE when invalid. */
  private static long parseLength(ByteBuf in, int from, int eol) {
    int end = eol;
    if (end > from && in.getByte(end - 1) == '\r') {
      end--;
    }
    if (end <= from || end - from > 19) {
      return Long.MIN_VALUE;
    }
    boolean negative = in.getByte(from) == '-';
    int i = negative ? from + 1 : from;
    if (i == end) {
      return Long.MIN_VALUE;
    }
    long v = 0;
    for (; i < end; i++) {
      byte c = in.getByte(i);
      if (c < '0' || c > '9') {
        return Long.MIN_VALUE;
      }
      v = v * 10 + (c - '0');
    }
    return negative ? -v : v;
  }

  private void fail(ByteBuf in, List<Object> out, String message) {
    failed = true;
    args = null;
    in.skipBytes(in.readableBytes());
    out.add(new ProtocolError(message));
  }
}
