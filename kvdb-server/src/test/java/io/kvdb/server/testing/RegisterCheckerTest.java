package io.kvdb.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.server.testing.RegisterChecker.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself: it must reject what is not linearizable, or it proves nothing. */
class RegisterCheckerTest {
  static Op w(String v, long from, long to) {
    return new Op(true, v, from, to);
  }

  static Op r(String v, long from, long to) {
    return new Op(false, v, from, to);
  }

  @Test
  void acceptsOverlappingOperationsInSomeOrder() {
    assertThat(RegisterChecker.linearizable(null, List.of(w("a", 0, 10), r("a", 5, 15)))).isTrue();
    assertThat(RegisterChecker.linearizable(null, List.of(w("a", 0, 10), r(null, 5, 15)))).isTrue();
    assertThat(
            RegisterChecker.linearizable(
                null, List.of(w("a", 0, 10), w("b", 0, 10), r("b", 11, 12), r("b", 13, 14))))
        .isTrue();
  }

  @Test
  void rejectsAStaleReadAfterAWriteReturned() {
    assertThat(RegisterChecker.linearizable(null, List.of(w("a", 0, 1), r(null, 2, 3)))).isFalse();
  }

  @Test
  void rejectsAReadOfAValueNeverWritten() {
    assertThat(RegisterChecker.linearizable("x", List.of(r("y", 0, 1)))).isFalse();
  }

  @Test
  void rejectsValuesThatFlipBackAfterBothWritesReturned() {
    assertThat(
            RegisterChecker.linearizable(
                null, List.of(w("a", 0, 10), w("b", 0, 10), r("a", 11, 12), r("b", 13, 14))))
        .isFalse();
  }

  @Test
  void aWriteWithoutAResponseMayHappenOnceOrNever() {
    long never = Op.NEVER;
    assertThat(RegisterChecker.linearizable(null, List.of(w("c", 0, never), r("c", 5, 6))))
        .isTrue();
    assertThat(RegisterChecker.linearizable(null, List.of(w("c", 0, never), r(null, 5, 6))))
        .isTrue();
    assertThat(
            RegisterChecker.linearizable(
                null, List.of(w("c", 0, never), r("c", 5, 6), r(null, 7, 8))))
        .isFalse();
  }
}
