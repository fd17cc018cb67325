package io.kvdb.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.core.spi.RecordType;
import io.kvdb.core.spi.WalRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Replication frames, valid and mutated (flipped bytes, lengths rewritten, cut short, glued), read
 * the way each side reads them: a reader may fail only with an IOException (a damaged frame drops
 * the link), never with another exception, and never allocates more than what arrived allows
 * (hostile-input issue: fuzzing the replication frames). {@code -Dkvdb.fuzzCases}, {@code
 * -Dkvdb.fuzzSeed} as in the server's protocol fuzzer.
 */
class FrameFuzzTest {
  static byte[] frame(Random r) throws IOException {
    Frame.Builder b =
        switch (r.nextInt(6)) {
          case 0 ->
              new Frame.Builder(Frame.Type.HELLO)
                  .putInt(Frame.VERSION)
                  .putString("slave" + r.nextInt(9))
                  .putString("")
                  .putLong(r.nextLong())
                  .putLong(r.nextInt(1000))
                  .putInt(0);
          case 1 ->
              new Frame.Builder(Frame.Type.CONTINUE)
                  .putHistory(new LogHistory(1 + r.nextInt(100), 0, 0))
                  .putLong(r.nextInt(1000));
          case 2 -> new Frame.Builder(Frame.Type.ACK).putLong(r.nextInt(1000)).putLong(5);
          case 3 -> new Frame.Builder(Frame.Type.PING).putLong(7).putLong(7);
          case 4 -> new Frame.Builder(Frame.Type.REFUSE).putString("diverged").putString("why");
          default -> {
            Frame.Builder rec = new Frame.Builder(Frame.Type.RECORDS).putInt(2);
            for (int i = 0; i < 2; i++) {
              byte[] v = new byte[r.nextInt(64)];
              r.nextBytes(v);
              rec.putRecord(new WalRecord(1 + i, RecordType.PUT, ("k" + i).getBytes(), v, 0));
            }
            yield rec;
          }
        };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    b.writeTo(new DataOutputStream(out));
    return out.toByteArray();
  }

  static byte[] mutate(byte[] f, Random r) {
    byte[] b = f.clone();
    switch (r.nextInt(5)) {
      case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
      case 1 -> ByteBuffer.wrap(b).putInt(0, r.nextInt()); // any declared length
      case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // cut short
      case 3 -> { // the frame's own CRC recomputed over a damaged payload: passes the checksum
        if (b.length > 9) {
          b[4 + r.nextInt(b.length - 8)] ^= (byte) (1 << r.nextInt(8));
          java.util.zip.CRC32C c = new java.util.zip.CRC32C();
          c.update(b, 4, b.length - 8);
          ByteBuffer.wrap(b).putInt(b.length - 4, (int) c.getValue());
        }
      }
      default -> {} // unchanged
    }
    return b;
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void readersFailOnlyWithIoExceptionsAndAllocateWhatArrived() throws Exception {
    int cases = Integer.getInteger("kvdb.fuzzCases", 100_000);
    long seed = Long.getLong("kvdb.fuzzSeed", System.nanoTime());
    Random r = new Random(seed);
    int[] limits = {Frame.MAX_HELLO, Frame.MAX_REPLY, Frame.MAX_ACK, Frame.MAX_LENGTH};
    long ok = 0;
    long refused = 0;
    for (int i = 0; i < cases; i++) {
      byte[] bytes = mutate(frame(r), r);
      int limit = limits[r.nextInt(limits.length)];
      long before = allocated();
      try {
        Frame f = Frame.read(new DataInputStream(new ByteArrayInputStream(bytes)), limit);
        // What each side does with a frame's payload: parse it by its type.
        ByteBuffer p = f.payload();
        switch (f.type()) {
          case HELLO -> {
            p.getInt();
            Frame.getString(p);
            Frame.getString(p);
            p.getLong();
            p.getLong();
            p.getInt();
          }
          case CONTINUE, FULL_BEGIN -> {
            Frame.getHistory(p);
            p.getLong();
          }
          case RECORDS -> {
            int n = p.getInt();
            for (int k = 0; k < n && k < 1000; k++) {
              Frame.getRecord(p);
            }
          }
          case REFUSE -> {
            Frame.getString(p);
            Frame.getString(p);
          }
          default -> {
            p.getLong();
            p.getLong();
          }
        }
        ok++;
      } catch (IOException | java.nio.BufferUnderflowException e) {
        // IOException: the link drops. BufferUnderflowException: a short payload, which both
        // sides turn into an IOException ("malformed ...") where they parse.
        refused++;
      }
      long used = allocated() - before;
      // Measured once the code is warm (class loading and compilation allocate too). A body is
      // first allocated at most min(limit, FIRST_ALLOCATION) — before HELLO that is 8 KiB — and
      // then only as its bytes arrive.
      long firstBody = Math.min(limit, Frame.FIRST_ALLOCATION);
      assertThat(i < 2_000 ? 0 : used)
          .as("seed %d, case %d: allocated for %d bytes, limit %d", seed, i, bytes.length, limit)
          .isLessThan(64 * 1024 + firstBody + 16L * bytes.length);
    }
    assertThat(ok).isGreaterThan(cases / 10);
    assertThat(refused).isGreaterThan(cases / 10);
  }
}
