package io.kvdb.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Glob matching agrees with Redis' {@code stringmatchlen} (transliterated below as the oracle) on
 * every pattern, and takes polynomial time on patterns that made the recursive matcher run for
 * ever.
 */
class GlobTest {

  /** The pattern: 20 stars against 40 a's froze the server; Redis answers in 11 ms. */
  @Test
  @Timeout(value = 2, unit = TimeUnit.SECONDS)
  void manyStarsAgainstALongKeyFinishAtOnce() {
    byte[] key = "a".repeat(40).getBytes(StandardCharsets.US_ASCII);
    byte[] pattern = ("a*".repeat(20) + "b").getBytes(StandardCharsets.US_ASCII);
    assertThat(Glob.matches(pattern, key)).isFalse();
    byte[] bigKey = "a".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    byte[] bigPattern = ("a*".repeat(200) + "b").getBytes(StandardCharsets.US_ASCII);
    assertThat(Glob.matches(bigPattern, bigKey)).isFalse();
    assertThat(Glob.matches(("a*".repeat(200) + "a").getBytes(StandardCharsets.US_ASCII), bigKey))
        .isTrue();
  }

  @Test
  void redisCorners() {
    assertThat(m("[a-]", "]")).isTrue(); // a range a..] (swapped), as Redis reads it
    assertThat(m("[a-]", "-")).isFalse();
    assertThat(m("[abc", "b")).isTrue(); // unterminated class runs to the end
    assertThat(m("[^abc]", "d")).isTrue();
    assertThat(m("[\\]]", "]")).isTrue();
    assertThat(m("a\\*b", "a*b")).isTrue();
    assertThat(m("a\\*b", "axb")).isFalse();
    assertThat(m("ab\\", "ab\\")).isTrue(); // a trailing backslash is literal
    assertThat(m("*", "")).isFalse(); // Redis: no pattern matches the empty string...
    assertThat(m("", "")).isTrue();
    assertThat(Glob.matchesEverything(new byte[] {'*'})).isTrue(); // ...KEYS/SCAN skip "*"
    assertThat(Glob.matchesEverything(new byte[] {'*', '*'})).isFalse();
    assertThat(m("?", "")).isFalse();
    assertThat(m("h?llo*", "hello world")).isTrue();
    assertThat(m("[z-a]", "m")).isTrue(); // reversed ranges are swapped
  }

  @Test
  void moreThanAThousandStarsFailLikeRedis() {
    String pattern = "a*".repeat(1001) + "a";
    String s = "a".repeat(1100);
    assertThat(m(pattern, s)).isEqualTo(redis(pattern, s)).isFalse();
    String fewer = "a*".repeat(999) + "a";
    assertThat(m(fewer, s)).isEqualTo(redis(fewer, s)).isTrue();
  }

  @Property(tries = 3000)
  void agreesWithRedis(@ForAll("patterns") String pattern, @ForAll("subjects") String subject) {
    assertThat(m(pattern, subject))
        .as("%s ~ %s", pattern, subject)
        .isEqualTo(redis(pattern, subject));
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars("ab*?[]^-\\").ofMaxLength(10);
  }

  @Provide
  Arbitrary<String> subjects() {
    return Arbitraries.strings().withChars("ab]-^\\*").ofMaxLength(8);
  }

  private static boolean m(String pattern, String s) {
    return Glob.matches(
        pattern.getBytes(StandardCharsets.ISO_8859_1), s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /* ---- The oracle: Redis 7.0 util.c stringmatchlen_impl, line for line (nocase off). ---- */

  private static boolean redis(String pattern, String s) {
    byte[] p = pattern.getBytes(StandardCharsets.ISO_8859_1);
    byte[] str = s.getBytes(StandardCharsets.ISO_8859_1);
    return impl(p, 0, p.length, str, 0, str.length, new boolean[1], 0);
  }

  /** Reads a byte the way C reads a NUL-terminated buffer: 0 past the end. */
  private static int at(byte[] b, int i) {
    return i < b.length ? b[i] : 0;
  }

  private static boolean impl(
      byte[] p, int pi, int plen, byte[] s, int si, int slen, boolean[] skipLonger, int nesting) {
    if (nesting > 1000) {
      return false;
    }
    while (plen > 0 && slen > 0) {
      switch (at(p, pi)) {
        case '*' -> {
          while (plen > 0 && at(p, pi + 1) == '*') {
            pi++;
            plen--;
          }
          if (plen == 1) {
            return true;
          }
          while (slen > 0) {
            if (impl(p, pi + 1, plen - 1, s, si, slen, skipLonger, nesting + 1)) {
              return true;
            }
            if (skipLonger[0]) {
              return false;
            }
            si++;
            slen--;
          }
          skipLonger[0] = true;
          return false;
        }
        case '?' -> {
          si++;
          slen--;
        }
        case '[' -> {
          pi++;
          plen--;
          boolean not = at(p, pi) == '^';
          if (not) {
            pi++;
            plen--;
          }
          boolean match = false;
          while (true) {
            if (at(p, pi) == '\\' && plen >= 2) {
              pi++;
              plen--;
              if (at(p, pi) == at(s, si)) {
                match = true;
              }
            } else if (at(p, pi) == ']') {
              break;
            } else if (plen == 0) {
              pi--;
              plen++;
              break;
            } else if (plen >= 3 && at(p, pi + 1) == '-') {
              int start = at(p, pi);
              int end = at(p, pi + 2);
              int c = at(s, si);
              if (start > end) {
                int t = start;
                start = end;
                end = t;
              }
              pi += 2;
              plen -= 2;
              if (c >= start && c <= end) {
                match = true;
              }
            } else if (at(p, pi) == at(s, si)) {
              match = true;
            }
            pi++;
            plen--;
          }
          if (not) {
            match = !match;
          }
          if (!match) {
            return false;
          }
          si++;
          slen--;
        }
        case '\\' -> {
          if (plen >= 2) {
            pi++;
            plen--;
          }
          if (at(p, pi) != at(s, si)) {
            return false;
          }
          si++;
          slen--;
        }
        default -> {
          if (at(p, pi) != at(s, si)) {
            return false;
          }
          si++;
          slen--;
        }
      }
      pi++;
      plen--;
      if (slen == 0) {
        while (at(p, pi) == '*' && plen > 0) {
          pi++;
          plen--;
        }
        break;
      }
    }
    return plen == 0 && slen == 0;
  }
}
