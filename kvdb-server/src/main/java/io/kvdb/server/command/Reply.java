package io.kvdb.server.command;

import io.kvdb.core.DurabilityException;
import io.kvdb.core.LimitExceededException;
import io.kvdb.core.spi.LogFailedException;
import io.kvdb.replication.DatasetLoadingException;
import io.kvdb.replication.NotEnoughReplicasException;
import io.kvdb.replication.ReadOnlyReplicaException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A RESP2 reply. Most are written at once; a {@link Deferred} reply (a write waiting for its fsync,
 * a read waiting for the durability barrier) is written when its future completes, and the
 * connection holds later replies back until then so that replies keep request order.
 */
public interface Reply {
  void write(ByteBuf out);

  /** Whether the reply can be written now. */
  default boolean ready() {
    return true;
  }

  byte[] CRLF = {'\r', '\n'};

  Reply OK = constant("+OK\r\n");
  Reply PONG = constant("+PONG\r\n");
  Reply NULL_BULK = constant("$-1\r\n");
  Reply NULL_ARRAY = constant("*-1\r\n");
  Reply EMPTY_ARRAY = constant("*0\r\n");
  Reply ZERO = constant(":0\r\n");
  Reply ONE = constant(":1\r\n");
  Reply QUEUED = constant("+QUEUED\r\n");

  /** No bytes at all: SHUTDOWN answers by closing the connection, as Redis does. */
  Reply NONE = out -> {};

  private static Reply constant(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return out -> out.writeBytes(bytes);
  }

  static Reply simple(String s) {
    return out -> {
      out.writeByte('+');
      out.writeCharSequence(s, StandardCharsets.UTF_8);
      out.writeBytes(CRLF);
    };
  }

  /** An error; {@code message} starts with its code, such as {@code ERR} or {@code NOAUTH}. */
  static Reply error(String message) {
    return new Error(message);
  }

  static Reply integer(long n) {
    if (n == 0) {
      return ZERO;
    }
    if (n == 1) {
      return ONE;
    }
    return out -> {
      out.writeByte(':');
      writeDecimal(out, n);
      out.writeBytes(CRLF);
    };
  }

  static Reply bulk(byte[] value) {
    if (value == null) {
      return NULL_BULK;
    }
    return out -> writeBulk(out, value);
  }

  static Reply bulk(String value) {
    return value == null ? NULL_BULK : bulk(value.getBytes(StandardCharsets.UTF_8));
  }

  static Reply array(List<? extends Reply> items) {
    return out -> {
      out.writeByte('*');
      writeDecimal(out, items.size());
      out.writeBytes(CRLF);
      for (Reply r : items) {
        r.write(out);
      }
    };
  }

  static Reply bulkArray(List<byte[]> values) {
    return out -> {
      out.writeByte('*');
      writeDecimal(out, values.size());
      out.writeBytes(CRLF);
      for (byte[] v : values) {
        if (v == null) {
          NULL_BULK.write(out);
        } else {
          writeBulk(out, v);
        }
      }
    };
  }

  /** A reply that is written once {@code future} completes. */
  static Reply later(CompletableFuture<Reply> future) {
    return new Deferred(future, null, false);
  }

  /**
   * {@code reply}, written once {@code durable} completes (or an error if it fails). Unlike {@code
   * later(durable.thenApply(...))} it adds no stage to the future, so the WAL's thread does no work
   * for it.
   */
  static Reply when(CompletableFuture<?> durable, Reply reply) {
    return durable.isDone() && !durable.isCompletedExceptionally()
        ? reply
        : new Deferred(durable, reply, false);
  }

  /**
   * {@code reply}, written once {@code barrier} settles, whether it succeeded or not: a read held
   * back until earlier writes are durable is still answered after the log failed (reads go on).
   */
  static Reply afterBarrier(CompletableFuture<?> barrier, Reply reply) {
    return barrier.isDone() ? reply : new Deferred(barrier, reply, true);
  }

  static void writeBulk(ByteBuf out, byte[] value) {
    out.writeByte('$');
    writeDecimal(out, value.length);
    out.writeBytes(CRLF);
    out.writeBytes(value);
    out.writeBytes(CRLF);
  }

  static void writeDecimal(ByteBuf out, long n) {
    out.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
  }

  /** An error reply; a record so tests and the dispatcher can recognise it. */
  record Error(String message) implements Reply {
    @Override
    public void write(ByteBuf out) {
      out.writeByte('-');
      // Error lines must stay on one line.
      out.writeCharSequence(message.replace('\r', ' ').replace('\n', ' '), StandardCharsets.UTF_8);
      out.writeBytes(CRLF);
    }
  }

  /**
   * A reply that waits for a future: either the future yields the reply ({@code fixed} null), or it
   * only signals durability and {@code fixed} is the reply.
   */
  record Deferred(CompletableFuture<?> future, Reply fixed, boolean evenOnFailure)
      implements Reply {
    @Override
    public boolean ready() {
      return future.isDone();
    }

    @Override
    public void write(ByteBuf out) {
      Reply r;
      try {
        Object v = future.join();
        r = fixed != null ? fixed : (Reply) v;
      } catch (CompletionException | CancellationException e) {
        r = evenOnFailure ? fixed : failure(e);
      }
      r.write(out);
    }
  }

  /** The error reply for an exception a command or its durability future ended with. */
  static Reply failure(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CommandException c) {
      return error(c.getMessage());
    }
    if (t instanceof DurabilityException) {
      return error("MISCONF Errors writing to the write-ahead log: " + t.getMessage());
    }
    if (t instanceof LimitExceededException l) {
      return error(l.limit().equals("maxMemory") ? RespErrors.OOM : "ERR " + t.getMessage());
    }
    if (t instanceof LogFailedException) {
      return error("MISCONF Errors writing to the write-ahead log: " + t.getMessage());
    }
    if (t instanceof ReadOnlyReplicaException
        || t instanceof DatasetLoadingException
        || t instanceof NotEnoughReplicasException) {
      return error(t.getMessage()); // READONLY ..., LOADING ..., NOREPLICAS ...
    }
    if (t instanceof IllegalStateException) {
      return error("ERR " + t.getMessage());
    }
    if (t instanceof IOException) {
      return error("MISCONF Errors writing to the write-ahead log: " + t.getMessage());
    }
    if (t instanceof OutOfMemoryError) {
      return error(RespErrors.OOM);
    }
    // Never an internal exception's text to a client: the log has it, the client a plain error.
    InternalErrors.report(t);
    return error(RespErrors.INTERNAL_ERROR);
  }
}
