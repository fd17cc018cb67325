/**
 * What one System.nanoTime() costs on this machine: a per-command time needs two. Run as a source
 * file: {@code java kvdb-bench/scripts/NanoTimeCost.java}. Prints five rounds of 10M calls.
 */
public class NanoTimeCost {
  public static void main(String[] args) {
    long sink = 0;
    for (int round = 0; round < 5; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 10_000_000; i++) {
        sink += System.nanoTime();
      }
      long t1 = System.nanoTime();
      System.out.printf("%.1f ns per System.nanoTime()%n", (t1 - t0) / 1e7);
    }
    if (sink == 42) {
      System.out.println(); // keeps the loop from being optimised away
    }
  }
}
