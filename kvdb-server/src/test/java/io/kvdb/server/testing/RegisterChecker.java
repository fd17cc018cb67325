package io.kvdb.server.testing;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that a history of reads and writes of one key is linearizable against a register (the
 * Wing–Gong algorithm with Lowe's memoization, as Porcupine and Knossos do it): some order of the
 * operations, each placed between its invocation and its response, explains every read. An
 * operation without a response (its client lost the connection: the server may or may not have
 * applied it) may take effect at any point after its invocation, or never.
 *
 * <p>Histories are checked per key (linearizability is compositional). Not thread-safe: one checker
 * per history.
 */
public final class RegisterChecker {
  /** One operation: a write of {@code value}, or a read that returned {@code value}. */
  public record Op(boolean write, String value, long invokedNanos, long returnedNanos) {
    public static final long NEVER = Long.MAX_VALUE;

    boolean completed() {
      return returnedNanos != NEVER;
    }
  }

  private RegisterChecker() {}

  /**
   * @param initial the register's value before the history (null: absent)
   * @return whether the history is linearizable
   */
  public static boolean linearizable(String initial, List<Op> history) {
    // Reads without a response tell nothing: leave them out. So do writes without a response
    // whose value no read returned: "never happened" explains the history whenever placing them
    // anywhere does (values are unique), and each one left in multiplies the search.
    Set<String> read = new HashSet<>();
    for (Op o : history) {
      if (!o.write() && o.completed()) {
        read.add(o.value());
      }
    }
    List<Op> ops = new ArrayList<>();
    for (Op o : history) {
      if (o.completed() || (o.write() && read.contains(o.value()))) {
        ops.add(o);
      }
    }
    ops.sort((a, b) -> Long.compare(a.invokedNanos(), b.invokedNanos()));
    int n = ops.size();
    long[] zobrist = new long[n]; // a random 64-bit tag per operation: a set's hash is their XOR
    java.util.SplittableRandom random = new java.util.SplittableRandom(n);
    for (int i = 0; i < n; i++) {
      zobrist[i] = random.nextLong();
    }
    Set<State> seen = new HashSet<>();
    // The search recurses once per linearized operation: on a thread with room for long histories.
    boolean[] result = new boolean[1];
    Throwable[] error = new Throwable[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                result[0] = search(ops, new BitSet(n), 0L, zobrist, initial, seen, n);
              } catch (Throwable e) { // OutOfMemoryError too: never "not linearizable" by accident
                error[0] = e;
              }
            },
            "register-checker",
            1L << 30);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (error[0] != null) {
      throw new IllegalStateException("the check itself failed: " + error[0], error[0]);
    }
    return result[0];
  }

  /**
   * A visited state: which operations are linearized (as the XOR of their random tags, so a state
   * costs 16 bytes, not a copy of the set: histories of a million operations fit) and the
   * register's value. Two different sets share a tag with probability 2^-64.
   */
  private record State(long doneHash, String value) {}

  /**
   * Depth-first: the next operation to linearize is one invoked before every pending completed
   * operation returned (otherwise that one would have to come first). Writes without a response may
   * also be dropped (never applied) when nothing else remains.
   */
  private static boolean search(
      List<Op> ops,
      BitSet done,
      long doneHash,
      long[] zobrist,
      String value,
      Set<State> seen,
      int n) {
    int remainingCompleted = 0;
    long firstReturn = Long.MAX_VALUE;
    for (int i = done.nextClearBit(0); i < n; i = done.nextClearBit(i + 1)) {
      Op o = ops.get(i);
      if (o.completed()) {
        remainingCompleted++;
        firstReturn = Math.min(firstReturn, o.returnedNanos());
      }
    }
    if (remainingCompleted == 0) {
      return true; // what is left are writes that may never have happened
    }
    if (!seen.add(new State(doneHash, value))) {
      return false;
    }
    for (int i = done.nextClearBit(0); i < n; i = done.nextClearBit(i + 1)) {
      Op o = ops.get(i);
      if (o.invokedNanos() > firstReturn) {
        break; // sorted by invocation: none after this may come before that response
      }
      String next;
      if (o.write()) {
        next = o.value();
      } else if (Objects.equals(o.value(), value)) {
        next = value;
      } else {
        continue; // this read cannot be here
      }
      done.set(i);
      boolean ok = search(ops, done, doneHash ^ zobrist[i], zobrist, next, seen, n);
      done.clear(i);
      if (ok) {
        return true;
      }
    }
    return false;
  }
}
