package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.KvStore;
import io.kvdb.wal.testing.CrashWriter;
import io.kvdb.wal.testing.WalDirs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at random moments, several times over the same directory,
 * and checks after each kill that every acknowledged write survived with its last acknowledged
 * value (or a later value of the same writer that was durable but not yet acknowledged).
 */
class CrashTest {
  private static final int CYCLES = 6;
  private static final int THREADS = 4;

  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveKillDashNine() throws Exception {
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    Map<String, String> lastAcked = new HashMap<>();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      int acksBeforeKill = 500 + random.nextInt(4000);
      Process child = start(cycle);
      int acks = 0;
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        assertThat(in.readLine()).as("child startup (seed %d)", seed).isEqualTo("ready");
        String line;
        while ((line = in.readLine()) != null) {
          if (acks == acksBeforeKill) {
            // A real SIGKILL by pid: unlike destroyForcibly(), it leaves our end of the pipe open,
            // so every acknowledgement the child printed before dying is still read and checked.
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
          }
          String[] parts = line.split(" ", 3);
          if (parts.length == 3 && parts[0].equals("ack")) {
            lastAcked.put(parts[1], parts[2]);
            acks++;
          }
        }
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      assertThat(acks).isGreaterThanOrEqualTo(acksBeforeKill);

      try (KvStore store = WalDirs.open(dir)) {
        for (Map.Entry<String, String> e : lastAcked.entrySet()) {
          String actual = store.get(e.getKey());
          String acked = e.getValue();
          assertThat(atLeastAsNew(e.getKey(), actual, acked))
              .as(
                  "key %s: acked %s, found %s (cycle %d, seed %d)",
                  e.getKey(), acked, actual, cycle, seed)
              .isTrue();
        }
        // What the store holds now is what the next cycle builds on.
        int gen = cycle;
        lastAcked.replaceAll(
            (k, v) -> store.get(k) == null ? "-:" + gen + ":" + Long.MAX_VALUE : store.get(k));
      }
    }
  }

  /**
   * The found value must be the acknowledged one, or the one later write by the same writer that
   * may have become durable just before the kill without its acknowledgement being printed: the
   * writer's next write to the key, 40 writes later, which is a delete when its sequence is 10
   * modulo 11.
   */
  static boolean atLeastAsNew(String key, String actual, String acked) {
    String[] a = acked.split(":");
    boolean ackedDelete = a[0].equals("-");
    int gen = Integer.parseInt(ackedDelete ? a[1] : a[0]);
    long seq = Long.parseLong(ackedDelete ? a[2] : a[1]);
    if (actual == null) {
      return ackedDelete || nextWriteIsDelete(key, gen, seq);
    }
    if (actual.equals(acked)) {
      return true;
    }
    String[] x = actual.split(":");
    int actualGen = Integer.parseInt(x[0]);
    long actualSeq = Long.parseLong(x[1]);
    return actualGen > gen || (actualGen == gen && actualSeq > seq);
  }

  private static boolean nextWriteIsDelete(String key, int gen, long seq) {
    if (seq == Long.MAX_VALUE) {
      return true;
    }
    // In the same generation the key is written again 40 writes later; in a new one at its index.
    long next = seq + 40;
    long firstInNewGen = Long.parseLong(key.substring(key.indexOf(':') + 1));
    return next % 11 == 10 || firstInNewGen % 11 == 10;
  }

  private Process start(int generation) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            CrashWriter.class.getName(),
            dir.toString(),
            Integer.toString(generation),
            Integer.toString(THREADS))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
