package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Encodes records into one fixed 1 MiB direct buffer and writes it to the active segment whenever
 * it fills, so a group of any size — even several records of hundreds of megabytes — passes through
 * the same bounded buffer, which never grows. A record that does not fit in the buffer has its
 * checksum computed from its arrays first, then its bytes are streamed through the buffer in
 * chunks; a crash in the middle leaves a torn record that recovery truncates. (Writing a large heap
 * array to a channel directly would make the JDK copy it into a temporary direct buffer of the same
 * size, and cache it.) Not thread-safe: owned by the writer thread.
 */
final class RecordWriter {
  static final int BUFFER = 1 << 20;

  private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
  private ActiveSegment segment;

  void target(ActiveSegment segment) {
    this.segment = segment;
  }

  void write(Pending p) throws IOException {
    byte[] key = p.key();
    byte[] value = p.value();
    int size = p.encodedSize;
    if (size > buf.remaining()) {
      flush();
    }
    if (size <= buf.remaining()) {
      RecordCodec.encode(buf, p.lsn, p.type, key, value, p.expireAt);
      return;
    }
    int crc = RecordCodec.crc(p.lsn, p.type, key, value, p.expireAt);
    RecordCodec.putHeader(
        buf, crc, size - RecordCodec.PREFIX, p.lsn, p.type, p.expireAt, key.length);
    stream(key);
    stream(value);
  }

  private void stream(byte[] bytes) throws IOException {
    int off = 0;
    while (off < bytes.length) {
      if (!buf.hasRemaining()) {
        flush();
      }
      int n = Math.min(buf.remaining(), bytes.length - off);
      buf.put(bytes, off, n);
      off += n;
    }
  }

  /** Writes what is buffered to the segment. */
  void flush() throws IOException {
    if (buf.position() == 0) {
      return;
    }
    buf.flip();
    segment.write(buf);
    buf.clear();
  }

  /** Drops what is buffered (a write failed: the group is encoded again when retried). */
  void discard() {
    buf.clear();
  }

  /** The buffer's capacity: fixed, whatever was written through it. */
  int capacity() {
    return buf.capacity();
  }
}
