package io.kvdb.replication.internal;

import io.kvdb.core.spi.LogCursor;
import io.kvdb.core.spi.Mutation;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The records a node rolled back when it rejoined a master whose history forked before them, kept
 * as the Redis commands that would apply them again: a file of RESP requests ({@code SET k v [PXAT
 * t]}, {@code DEL k}, {@code PEXPIREAT k t} or {@code PERSIST k}, {@code FLUSHALL}; a multi-key
 * record as {@code MULTI} ... {@code EXEC}), in LSN order. It can be read with any RESP tool and
 * replayed on purpose, e.g. {@code redis-cli -p <port> --pipe < rollback-<millis>.resp} against the
 * new master. Written and fsynced before the log is cut. Stateless.
 */
public final class RollbackFile {
  private RollbackFile() {}

  /** Writes every record {@code cursor} yields to {@code file}; returns how many. */
  public static long write(Path file, LogCursor cursor) throws IOException {
    long n = 0;
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
      WalRecord r;
      while ((r = cursor.next()) != null) {
        if (r.type() == RecordType.BATCH) {
          command(out, "MULTI".getBytes(StandardCharsets.US_ASCII));
          for (Mutation m : r.mutations()) {
            mutation(out, m.type(), m.key(), m.value(), m.expireAtMillis());
          }
          command(out, "EXEC".getBytes(StandardCharsets.US_ASCII));
        } else {
          mutation(out, r.type(), r.key(), r.value(), r.expireAtMillis());
        }
        n++;
      }
      out.flush();
      ch.force(true);
    }
    return n;
  }

  private static void mutation(
      OutputStream out, RecordType type, byte[] key, byte[] value, long expireAt)
      throws IOException {
    switch (type) {
      case PUT -> {
        if (expireAt == 0) {
          command(out, b("SET"), key, value);
        } else {
          command(out, b("SET"), key, value, b("PXAT"), b(Long.toString(expireAt)));
        }
      }
      case DELETE -> command(out, b("DEL"), key);
      case EXPIRE -> {
        if (expireAt == 0) {
          command(out, b("PERSIST"), key);
        } else {
          command(out, b("PEXPIREAT"), key, b(Long.toString(expireAt)));
        }
      }
      case CLEAR -> command(out, b("FLUSHALL"));
      default -> throw new IOException("cannot write a " + type + " record as a command");
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void command(OutputStream out, byte[]... args) throws IOException {
    out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : args) {
      out.write(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(a);
      out.write('\r');
      out.write('\n');
    }
  }
}
