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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a writing child JVM with SIGKILL at random moments, several times over the same directory,
 * and checks after each kill that every acknowledged write survived with its last acknowledged
 * value (or a later value of the same writer that was durable but not yet acknowledged).
 */
class CrashTest {
  private static final int CYCLES = 6;
  private static final int THREADS = 4;

  @TempDir Path dir;

  /**
   * In every fsync mode: a SIGKILL loses nothing acknowledged under {@code everysec} and {@code
   * never} too (an acknowledged write has reached the OS; only a power cut can lose it there).
   */
  @ParameterizedTest(name = "fsync {0}")
  @EnumSource(FsyncPolicy.class)
  void acknowledgedWritesSurviveKillDashNine(FsyncPolicy policy) throws Exception {
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    Map<String, String> lastAcked = new HashMap<>();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      int acksBeforeKill = 500 + random.nextInt(4000);
      Process child = start(cycle, policy);
      int acks = 0;
      long[] lastSeq = new long[THREADS]; // each writer's last acknowledged sequence this cycle
      java.util.Arrays.fill(lastSeq, -1);
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
            int thread = Integer.parseInt(parts[1].substring(1, parts[1].indexOf(':')));
            String[] v = parts[2].split(":");
            lastSeq[thread] = Long.parseLong(v[0].equals("-") ? v[2] : v[1]);
            acks++;
          }
        }
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      assertThat(acks).isGreaterThanOrEqualTo(acksBeforeKill);

      // The one write each writer may have had in flight: the next after its last ack.
      Map<String, String> inFlight = new HashMap<>();
      for (int t = 0; t < THREADS; t++) {
        long next = lastSeq[t] + 1;
        String v = CrashWriter.value(cycle, next);
        inFlight.put(CrashWriter.key(t, next), v == null ? DELETED : v);
      }
      try (KvStore store = WalDirs.open(dir)) {
        for (Map.Entry<String, String> e : lastAcked.entrySet()) {
          String actual = store.get(e.getKey());
          String acked = e.getValue();
          boolean ok =
              java.util.Objects.equals(actual, acked.startsWith("-:") ? null : acked)
                  || (inFlight.containsKey(e.getKey())
                      && java.util.Objects.equals(
                          actual == null ? DELETED : actual, inFlight.get(e.getKey())));
          assertThat(ok)
              .as(
                  "key %s: acked %s, in flight %s, found %s (cycle %d, seed %d, fsync %s)",
                  e.getKey(), acked, inFlight.get(e.getKey()), actual, cycle, seed, policy)
              .isTrue();
        }
        // A key never acknowledged may hold only its writer's in-flight write.
        for (Map.Entry<String, String> e : inFlight.entrySet()) {
          if (!lastAcked.containsKey(e.getKey())) {
            String actual = store.get(e.getKey());
            assertThat(actual == null || actual.equals(e.getValue()))
                .as("key %s never acknowledged holds %s", e.getKey(), actual)
                .isTrue();
          }
        }
        // What the store holds now is what the next cycle builds on.
        int gen = cycle;
        lastAcked.replaceAll(
            (k, v) -> store.get(k) == null ? "-:" + gen + ":" + Long.MAX_VALUE : store.get(k));
      }
    }
  }

  private static final String DELETED = "(deleted)";

  private Process start(int generation, FsyncPolicy policy) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            CrashWriter.class.getName(),
            dir.toString(),
            Integer.toString(generation),
            Integer.toString(THREADS),
            policy.name())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
