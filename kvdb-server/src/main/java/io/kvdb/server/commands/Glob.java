package io.kvdb.server.commands;

/**
 * Redis' glob matching ({@code stringmatchlen}) over bytes: {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a]}, {@code [a-z]} and {@code \} escapes. Used by SCAN MATCH, KEYS and CONFIG GET.
 *
 * <h2>Why not recursion</h2>
 *
 * Matching each {@code *} by recursing over every split backtracks exponentially: a 40-byte key
 * against {@code a*a*...*b} with 20 stars never finished, on the event loop that serves every other
 * client. Every token but {@code *} consumes exactly one byte, so it is enough to remember the
 * <em>last</em> star and, on a mismatch, let it swallow one more byte and resume right after it (an
 * earlier star never needs to take more: whatever it would take, the last star can take instead).
 * Each resume advances the star's start, so the work is at most pattern length x string length,
 * with no recursion and no allocation.
 *
 * <p>Class syntax follows Redis exactly, including its corners: {@code \} escapes inside a class,
 * {@code x-y} is a range whenever two more bytes follow (so {@code [a-]} is the range a..]), ranges
 * compare bytes as signed chars, reversed ranges are swapped, and an unterminated class runs to the
 * end of the pattern. Like Redis, a match that passes more than {@value #MAX_STARS} separate stars
 * fails (its recursion limit). Stateless and thread-safe.
 */
final class Glob {
  static final int MAX_STARS = 1000;

  private Glob() {}

  /**
   * Whether {@code pattern} is exactly {@code *}: KEYS and SCAN then skip matching, as Redis does,
   * which is also how they return the empty key (that {@link #matches} does not match).
   */
  static boolean matchesEverything(byte[] pattern) {
    return pattern.length == 1 && pattern[0] == '*';
  }

  static boolean matches(byte[] pattern, byte[] s) {
    if (s.length == 0) {
      return pattern.length == 0; // Redis' loop never starts on an empty string
    }
    int pi = 0;
    int si = 0;
    int starPi = -1; // index just after the last star group seen
    int starSi = 0; // where that star's match ends so far
    int stars = 0;
    while (si < s.length) {
      if (pi < pattern.length && pattern[pi] == '*') {
        while (pi < pattern.length && pattern[pi] == '*') {
          pi++;
        }
        if (pi == pattern.length) {
          return true;
        }
        if (++stars > MAX_STARS) {
          return false;
        }
        starPi = pi;
        starSi = si;
        continue;
      }
      if (pi < pattern.length) {
        int next = matchOne(pattern, pi, s[si]);
        if (next >= 0) {
          pi = next;
          si++;
          continue;
        }
      }
      if (starPi < 0) {
        return false;
      }
      pi = starPi;
      si = ++starSi;
    }
    while (pi < pattern.length && pattern[pi] == '*') {
      pi++;
    }
    return pi == pattern.length;
  }

  /**
   * Matches the token at {@code pi} (not a star) against one byte.
   *
   * @return the index after the token, or -1 when it does not match {@code c}
   */
  private static int matchOne(byte[] p, int pi, byte c) {
    switch (p[pi]) {
      case '?':
        return pi + 1;
      case '[':
        return matchClass(p, pi + 1, c);
      case '\\':
        if (pi + 1 < p.length) {
          pi++;
        }
        return p[pi] == c ? pi + 1 : -1;
      default:
        return p[pi] == c ? pi + 1 : -1;
    }
  }

  /** A class whose body starts at {@code pi}; returns the index after its {@code ]}, or -1. */
  private static int matchClass(byte[] p, int pi, byte c) {
    boolean not = pi < p.length && p[pi] == '^';
    if (not) {
      pi++;
    }
    boolean hit = false;
    while (true) {
      if (pi >= p.length) {
        break; // unterminated: the class runs to the end of the pattern
      }
      if (p[pi] == '\\' && p.length - pi >= 2) {
        pi++;
        hit |= p[pi] == c;
      } else if (p[pi] == ']') {
        pi++;
        break;
      } else if (p.length - pi >= 3 && p[pi + 1] == '-') {
        int lo = p[pi]; // signed, as C's char compares
        int hi = p[pi + 2];
        if (lo > hi) {
          int t = lo;
          lo = hi;
          hi = t;
        }
        hit |= c >= lo && c <= hi;
        pi += 2;
      } else {
        hit |= p[pi] == c;
      }
      pi++;
    }
    return hit != not ? pi : -1;
  }
}
