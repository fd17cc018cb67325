package io.kvdb.wal.internal;

import io.kvdb.core.spi.StoreState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot of the whole store (big-endian):
 *
 * <pre>
 * header (32 bytes): magic "KVSN" (0x4B56534E) | version 2 | start LSN S (8) | end LSN E (8)
 *                    | reserved (4) | crc32c of [0,28)
 * entries, each:     keyLength (4) | valueLength (4) | expireAtMillis (8) | key | value
 * trailer:           0xFFFFFFFF (4) | entryCount (8) | crc32c of all entry bytes (4)
 * </pre>
 *
 * S is the last LSN when the walk started: every write up to S is in the snapshot. E is the last
 * LSN when the walk ended: writes from S+1 to E may or may not be. Replaying the log from S+1 over
 * the snapshot is exact because records are idempotent, and the result is a consistent state only
 * once the replay has passed E. (Version 1 had no E; it reads as E = S.)
 *
 * <p>Written to {@code <S>.snap.tmp}, E filled into the header after the walk, fsynced; then the
 * caller's {@link BeforePublish} runs (the log makes every record up to E durable), then it is
 * renamed to {@code <S>.snap} and the directory is fsynced: a snapshot under its final name is
 * always complete, and never holds a write the log could still lose.
 */
public final class SnapshotFile {
  static final int MAGIC = 0x4B56534E;
  static final int VERSION = 2;
  private static final int END_MARKER = 0xFFFFFFFF;

  private SnapshotFile() {}

  /** What a write produced. */
  public record Written(Path file, long lsn, long endLsn, long entries, long bytes) {}

  /** What a read loaded. */
  public record Loaded(long entries, long endLsn) {}

  /**
   * Writes a snapshot of {@code state} as of {@code lsn} into {@code dir}.
   *
   * @param cancelled checked between entries; a cancelled snapshot leaves no file behind
   */
  public static Written write(
      Path dir,
      long lsn,
      StoreState state,
      BooleanSupplier cancelled,
      LongSupplier endLsn,
      BeforePublish beforePublish)
      throws IOException {
    Path tmp = dir.resolve(WalFileNames.snapshotName(lsn) + WalFileNames.TMP_SUFFIX);
    Path fin = dir.resolve(WalFileNames.snapshotName(lsn));
    Files.deleteIfExists(tmp);
    long[] count = {0};
    long end;
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer header = headerFor(lsn, lsn);
      while (header.hasRemaining()) {
        ch.write(header);
      }
      CRC32C crc = new CRC32C();
      DataOutputStream out =
          new DataOutputStream(
              new CheckedOutputStream(
                  new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20), crc));
      IOException[] error = {null};
      state.snapshot(
          (key, value, expireAt) -> {
            if (error[0] != null || cancelled.getAsBoolean()) {
              return;
            }
            try {
              out.writeInt(key.length);
              out.writeInt(value.length);
              out.writeLong(expireAt);
              out.write(key);
              out.write(value);
              count[0]++;
            } catch (IOException e) {
              error[0] = e;
            }
          });
      if (error[0] != null) {
        throw error[0];
      }
      if (cancelled.getAsBoolean()) {
        out.close();
        Files.deleteIfExists(tmp);
        return null;
      }
      int entriesCrc = (int) crc.getValue();
      out.writeInt(END_MARKER);
      out.writeLong(count[0]);
      out.writeInt(entriesCrc);
      out.flush();
      end = Math.max(lsn, endLsn.getAsLong());
      ByteBuffer finalHeader = headerFor(lsn, end);
      while (finalHeader.hasRemaining()) {
        ch.write(finalHeader, finalHeader.position());
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    try {
      beforePublish.run(end);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, fin, StandardCopyOption.ATOMIC_MOVE);
    Fsync.directory(dir);
    return new Written(fin, lsn, end, count[0], Files.size(fin));
  }

  private static ByteBuffer headerFor(long lsn, long endLsn) {
    ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE);
    b.putInt(MAGIC).putInt(VERSION).putLong(lsn).putLong(endLsn);
    b.putInt(SegmentHeader.SIZE - 4, RecordCodec.crc(b, 0, SegmentHeader.SIZE - 4));
    b.position(0).limit(SegmentHeader.SIZE);
    return b;
  }

  /**
   * Runs after the snapshot is on disk and before it is published under its final name, with its
   * end LSN E: the log must make every record up to E durable first.
   */
  @FunctionalInterface
  public interface BeforePublish {
    void run(long endLsn) throws IOException;
  }

  /**
   * Reads and checks a snapshot's header only: for a snapshot whose entries the state already
   * holds. The entries' checksum is not verified (they were just written and fsynced by the reader
   * itself).
   *
   * @return 0 entries read, and the end LSN
   */
  public static Loaded readHeader(Path file, long expectedLsn) throws IOException {
    return read(file, expectedLsn, null);
  }

  /** Receives loaded entries. */
  @FunctionalInterface
  public interface Loader {
    void entry(byte[] key, byte[] value, long expireAt);
  }

  /**
   * Reads a snapshot, handing each entry to {@code loader}, and checks its checksum.
   *
   * @return the number of entries and the end LSN E
   * @throws CorruptLogException if the file is damaged
   */
  public static Loaded read(Path file, long expectedLsn, Loader loader) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      byte[] header = raw.readNBytes(SegmentHeader.SIZE);
      ByteBuffer h = ByteBuffer.wrap(header);
      if (header.length < SegmentHeader.SIZE
          || h.getInt(0) != MAGIC
          || RecordCodec.crc(h, 0, SegmentHeader.SIZE - 4) != h.getInt(SegmentHeader.SIZE - 4)) {
        throw new CorruptLogException(file, 0, "damaged snapshot header");
      }
      int version = h.getInt(4);
      if (version != 1 && version != VERSION) {
        throw new CorruptLogException(file, 4, "unsupported snapshot version " + version);
      }
      if (h.getLong(8) != expectedLsn) {
        throw new CorruptLogException(file, 8, "snapshot LSN does not match its file name");
      }
      long endLsn = version == 1 ? expectedLsn : h.getLong(16);
      if (endLsn < expectedLsn) {
        throw new CorruptLogException(
            file, 16, "snapshot end LSN " + endLsn + " is before its start");
      }
      if (loader == null) {
        return new Loaded(0, endLsn); // readHeader: the entries are loaded already
      }
      CRC32C crc = new CRC32C();
      DataInputStream in = new DataInputStream(raw);
      byte[] fixed = new byte[16];
      ByteBuffer f = ByteBuffer.wrap(fixed);
      long offset = SegmentHeader.SIZE;
      long count = 0;
      try {
        while (true) {
          in.readFully(fixed, 0, 4);
          if (f.getInt(0) == END_MARKER) {
            long storedCount = in.readLong();
            int storedCrc = in.readInt();
            if (storedCount != count || storedCrc != (int) crc.getValue()) {
              throw new CorruptLogException(file, offset, "snapshot checksum mismatch");
            }
            return new Loaded(count, endLsn);
          }
          in.readFully(fixed, 4, 12);
          int keyLength = f.getInt(0);
          int valueLength = f.getInt(4);
          long expireAt = f.getLong(8);
          if (keyLength < 0 || valueLength < 0 || keyLength > 1 << 30 || valueLength > 1 << 30) {
            throw new CorruptLogException(file, offset, "invalid snapshot entry lengths");
          }
          byte[] key = new byte[keyLength];
          byte[] value = new byte[valueLength];
          in.readFully(key);
          in.readFully(value);
          crc.update(fixed, 0, 16);
          crc.update(key);
          crc.update(value);
          loader.entry(key, value, expireAt);
          count++;
          offset += 16L + keyLength + valueLength;
        }
      } catch (EOFException e) {
        throw new CorruptLogException(file, offset, "snapshot cut short");
      }
    }
  }
}
