package io.kvdb.replication.internal;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The replication wire format: every message is one frame (big-endian).
 *
 * <pre>
 * length (4)   bytes of type + payload
 * type (1)     see {@link Type}
 * payload      per type, below
 * crc32c (4)   of type + payload
 * </pre>
 *
 * Binary-safe (every key and value is length-prefixed), versioned (HELLO carries {@link #VERSION};
 * a master refuses a version it does not speak), checksummed per frame (a damaged frame drops the
 * link, never a record into the log). Payloads, strings being {@code length (4) | UTF-8}:
 *
 * <pre>
 * HELLO      version (4) | slaveId | password | historyId (8) | lastLsn (8) | flags (4)
 *            [| announcePort (4)]  (a trailing field older masters ignore)
 * CONTINUE   historyId (8) | previousId (8) | forkLsn (8) | fromLsn (8)
 * FULL_BEGIN historyId (8) | previousId (8) | forkLsn (8) | snapshotLsn S (8)
 * ENTRIES    count (4) | count x (keyLength (4) | key | valueLength (4) | value | expireAt (8))
 * FULL_END   endLsn E (8) | entryCount (8)
 * RECORDS    count (4) | count x (lsn (8) | type (1) | expireAt (8) | keyLength (4) | key
 *                                  | valueLength (4) | value)
 * PING       masterLastLsn (8) | masterDurableLsn (8)
 * ACK        appliedLsn (8) | durableLsn (8) [| announcePort (4)]
 * REFUSE     code | message
 * ROLLBACK   forkLsn F (8): roll your records after F back, then say HELLO again
 * </pre>
 *
 * <h2>Bounds</h2>
 *
 * A frame's length is a peer's claim: {@link #read(DataInputStream, int)} refuses one over what the
 * protocol allows in the reader's state ({@link #MAX_HELLO} before a slave is authenticated, {@link
 * #MAX_REPLY} for a master's answer to HELLO, {@link #MAX_ACK} for a slave's acknowledgements, and
 * {@link #MAX_LENGTH} for the stream), and even an allowed length is allocated as its bytes arrive
 * (from {@link #FIRST_ALLOCATION}, doubling), so a peer that declares a gigabyte and sends four
 * bytes costs four bytes. A peer that answers in RESP (a client port given as a replication port)
 * is recognized by its first bytes: {@link ForeignPeerException}.
 *
 * <p>Not thread-safe: one reader and one writer per stream.
 */
public final class Frame {
  /** The protocol version this build speaks. */
  public static final int VERSION = 1;

  /** HELLO flag: the slave accepts a full sync that replaces data it holds of another history. */
  public static final int FLAG_RESYNC_OVER_DIVERGENCE = 1;

  /**
   * HELLO flag: an operator pointed this node here explicitly (REPLICAOF): if it holds a tail after
   * the fork of the master's history, it may roll that tail back (kept in a file) and continue.
   */
  public static final int FLAG_ROLLBACK_ALLOWED = 2;

  /** The largest frame: one record of two 512 MiB strings, plus framing. */
  public static final int MAX_LENGTH = (1 << 30) + (1 << 16);

  /** The largest HELLO (an id and a password): what an unauthenticated peer may make us hold. */
  public static final int MAX_HELLO = 8 << 10;

  /** The largest answer to HELLO (CONTINUE, FULL_BEGIN or REFUSE with its message). */
  public static final int MAX_REPLY = 64 << 10;

  /** The largest frame a slave sends once streaming (ACK). */
  public static final int MAX_ACK = 64;

  /** A frame body is first allocated at most this large, then grown as its bytes arrive. */
  static final int FIRST_ALLOCATION = 1 << 20;

  /** Frames are cut at about this many payload bytes when they hold several items. */
  public static final int TARGET_SIZE = 256 << 10;

  /** Frame types; the codes are part of the protocol and never change. */
  public enum Type {
    HELLO(1),
    CONTINUE(2),
    FULL_BEGIN(3),
    ENTRIES(4),
    FULL_END(5),
    RECORDS(6),
    PING(7),
    ACK(8),
    REFUSE(9),
    ROLLBACK(10);

    final byte code;

    Type(int code) {
      this.code = (byte) code;
    }

    static Type of(byte code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  private final Type type;
  private final ByteBuffer payload;

  private Frame(Type type, ByteBuffer payload) {
    this.type = type;
    this.payload = payload;
  }

  public Type type() {
    return type;
  }

  /** The payload, positioned at its start. */
  public ByteBuffer payload() {
    return payload;
  }

  /**
   * Reads one frame of any allowed length ({@link #MAX_LENGTH}).
   *
   * @throws EOFException at the end of the stream
   * @throws IOException if the frame is malformed or fails its checksum
   */
  public static Frame read(DataInputStream in) throws IOException {
    return read(in, MAX_LENGTH);
  }

  /**
   * Reads one frame no longer than {@code maxLength}, allocating as its bytes arrive.
   *
   * @throws EOFException at the end of the stream
   * @throws ForeignPeerException if the peer answers in RESP or plain text
   * @throws IOException if the frame is too long, malformed or fails its checksum
   */
  public static Frame read(DataInputStream in, int maxLength) throws IOException {
    int length = in.readInt();
    if (length < 1 || length > maxLength) {
      String foreign = ForeignPeerException.describe(length);
      if (foreign != null) {
        throw new ForeignPeerException(foreign);
      }
      throw new IOException(
          "malformed replication frame: length " + length + " (at most " + maxLength + " here)");
    }
    byte[] body = readBody(in, length);
    int crc = in.readInt();
    CRC32C c = new CRC32C();
    c.update(body);
    if ((int) c.getValue() != crc) {
      throw new IOException("replication frame checksum mismatch");
    }
    Type type = Type.of(body[0]);
    if (type == null) {
      throw new IOException("unknown replication frame type " + body[0]);
    }
    return new Frame(type, ByteBuffer.wrap(body, 1, length - 1).slice());
  }

  /** Reads {@code length} bytes into an array that grows as they arrive. */
  private static byte[] readBody(DataInputStream in, int length) throws IOException {
    if (length <= FIRST_ALLOCATION) {
      byte[] body = new byte[length];
      in.readFully(body);
      return body;
    }
    byte[] body = new byte[FIRST_ALLOCATION];
    int have = 0;
    while (have < length) {
      if (have == body.length) {
        body = Arrays.copyOf(body, (int) Math.min(length, 2L * body.length));
      }
      int n = in.read(body, have, body.length - have);
      if (n < 0) {
        throw new EOFException("replication frame cut short after " + have + " of " + length);
      }
      have += n;
    }
    return body;
  }

  /** Builds one frame's payload, then writes the whole frame. */
  public static final class Builder {
    private ByteBuffer buf;

    public Builder(Type type) {
      this(type, 256);
    }

    public Builder(Type type, int capacity) {
      this.buf = ByteBuffer.allocate(Math.max(16, capacity + 1));
      buf.put(type.code);
    }

    private void room(int n) {
      if (buf.remaining() < n) {
        long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
        if (want > MAX_LENGTH) {
          throw new IllegalStateException("replication frame larger than " + MAX_LENGTH);
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) want);
        buf.flip();
        bigger.put(buf);
        buf = bigger;
      }
    }

    public Builder putInt(int v) {
      room(4);
      buf.putInt(v);
      return this;
    }

    public Builder putLong(long v) {
      room(8);
      buf.putLong(v);
      return this;
    }

    public Builder putByte(byte v) {
      room(1);
      buf.put(v);
      return this;
    }

    public Builder putBytes(byte[] v) {
      room(4 + v.length);
      buf.putInt(v.length);
      buf.put(v);
      return this;
    }

    public Builder putString(String s) {
      return putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public Builder putHistory(LogHistory h) {
      return putLong(h.id()).putLong(h.previousId()).putLong(h.forkLsn());
    }

    public Builder putRecord(WalRecord r) {
      putLong(r.lsn());
      putByte(r.type().code());
      putLong(r.expireAtMillis());
      putBytes(r.key());
      return putBytes(r.value());
    }

    /** Payload bytes so far. */
    public int size() {
      return buf.position() - 1;
    }

    /** Overwrites an int at a payload offset (a count known only at the end). */
    public Builder setInt(int payloadOffset, int v) {
      buf.putInt(payloadOffset + 1, v);
      return this;
    }

    public void writeTo(DataOutputStream out) throws IOException {
      int length = buf.position();
      CRC32C c = new CRC32C();
      c.update(buf.array(), 0, length);
      out.writeInt(length);
      out.write(buf.array(), 0, length);
      out.writeInt((int) c.getValue());
    }
  }

  /* ---- Payload readers ---- */

  public static byte[] getBytes(ByteBuffer b) throws IOException {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new IOException("malformed replication frame: byte string of " + n);
    }
    byte[] v = new byte[n];
    b.get(v);
    return v;
  }

  public static String getString(ByteBuffer b) throws IOException {
    return new String(getBytes(b), StandardCharsets.UTF_8);
  }

  public static LogHistory getHistory(ByteBuffer b) throws IOException {
    long id = b.getLong();
    long previous = b.getLong();
    long fork = b.getLong();
    if (id == 0 || fork < 0) {
      throw new IOException("malformed replication frame: history");
    }
    return new LogHistory(id, previous, fork);
  }

  public static WalRecord getRecord(ByteBuffer b) throws IOException {
    long lsn = b.getLong();
    RecordType type = RecordType.fromCode(b.get());
    long expireAt = b.getLong();
    byte[] key = getBytes(b);
    byte[] value = getBytes(b);
    if (type == null || lsn < 1) {
      throw new IOException("malformed replication frame: record");
    }
    return new WalRecord(lsn, type, key, value, expireAt);
  }
}
