package io.kvdb.core.spi;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of a {@link RecordType#BATCH} record: the mutations of one multi-key operation, in the
 * order they apply (big-endian).
 *
 * <pre>
 * count (4)
 * each mutation: type (1) | expireAtMillis (8) | keyLength (4) | valueLength (4) | key | value
 * </pre>
 *
 * No checksum of its own: the batch travels inside one log record (or one replication frame) whose
 * checksum covers all of it, which is what makes it all-or-nothing. Stateless and thread-safe.
 */
public final class BatchCodec {
  /** Bytes a batch spends on its count. */
  public static final int HEADER = 4;

  /** Bytes a batch spends per mutation besides its key and value. */
  public static final int PER_MUTATION = 17;

  /**
   * The largest encoded batch: what one log record can hold (its body is at most 1 GiB, the size of
   * the largest single PUT of a 512 MiB key and value).
   */
  public static final long MAX_ENCODED_SIZE = (1L << 30) - 64;

  private BatchCodec() {}

  /** The encoded size of {@code mutations}, as a long so that callers can check it first. */
  public static long encodedSize(List<Mutation> mutations) {
    long n = HEADER;
    for (Mutation m : mutations) {
      n += PER_MUTATION + (long) m.key().length + m.value().length;
    }
    return n;
  }

  /**
   * Encodes {@code mutations}.
   *
   * @throws IllegalArgumentException if the batch is empty or larger than {@link #MAX_ENCODED_SIZE}
   */
  public static byte[] encode(List<Mutation> mutations) {
    if (mutations.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one mutation");
    }
    long size = encodedSize(mutations);
    if (size > MAX_ENCODED_SIZE) {
      throw new IllegalArgumentException(
          "a batch of "
              + size
              + " bytes exceeds the largest log record ("
              + MAX_ENCODED_SIZE
              + ")");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    b.putInt(mutations.size());
    for (Mutation m : mutations) {
      b.put(m.type().code());
      b.putLong(m.expireAtMillis());
      b.putInt(m.key().length);
      b.putInt(m.value().length);
      b.put(m.key());
      b.put(m.value());
    }
    return b.array();
  }

  /**
   * Decodes a batch.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed batch
   */
  public static List<Mutation> decode(byte[] encoded) {
    ByteBuffer b = ByteBuffer.wrap(encoded);
    try {
      int count = b.getInt();
      if (count < 1 || count > (encoded.length - HEADER) / PER_MUTATION) {
        throw new IllegalArgumentException("malformed batch: count " + count);
      }
      List<Mutation> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        RecordType type = RecordType.fromCode(b.get());
        long expireAt = b.getLong();
        int keyLength = b.getInt();
        int valueLength = b.getInt();
        if (type == null
            || type == RecordType.BATCH
            || keyLength < 0
            || valueLength < 0
            || keyLength > b.remaining()
            || valueLength > b.remaining() - keyLength) {
          throw new IllegalArgumentException("malformed batch: mutation " + i);
        }
        byte[] key = new byte[keyLength];
        byte[] value = new byte[valueLength];
        b.get(key).get(value);
        out.add(new Mutation(type, key, value, expireAt));
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(
            "malformed batch: " + b.remaining() + " bytes left over");
      }
      return out;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("malformed batch: cut short", e);
    }
  }
}
