package io.kvdb.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvdb.core.spi.LogHistory;
import io.kvdb.replication.internal.Handshake.Decision;
import io.kvdb.replication.internal.Handshake.Hello;
import io.kvdb.replication.internal.Handshake.Kind;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The master's CONTINUE / FULL / REFUSE decision, every branch and boundary (replication issue: the
 * handshake as a pure decision; before, no test failed if the fork-LSN bound was dropped).
 */
class HandshakeTest {
  static final long OLD = 0x0AAAL;
  static final long NOW = 0x0BBBL;
  static final long OTHER = 0x0CCCL;

  /** This master: history NOW, forked from OLD after LSN 100; durable up to 150. */
  static final LogHistory OURS = new LogHistory(NOW, OLD, 100);

  static final LongPredicate HELD = lsn -> true;
  static final LongPredicate COMPACTED = lsn -> false;

  static Hello hello(long history, long lsn) {
    return new Hello(Frame.VERSION, true, history, lsn, 0);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // name, hello, held, expected kind, expected from / code
        Arguments.of("same history, behind", hello(NOW, 120), HELD, Kind.CONTINUE, "121"),
        Arguments.of(
            "same history, at the durable end", hello(NOW, 150), HELD, Kind.CONTINUE, "151"),
        Arguments.of(
            "same history, past the durable end", hello(NOW, 151), HELD, Kind.REFUSE, "diverged"),
        Arguments.of(
            "previous history, before the fork", hello(OLD, 99), HELD, Kind.CONTINUE, "100"),
        Arguments.of("previous history, at the fork", hello(OLD, 100), HELD, Kind.CONTINUE, "101"),
        Arguments.of(
            "previous history, one past the fork", hello(OLD, 101), HELD, Kind.REFUSE, "diverged"),
        Arguments.of(
            "same history, compacted away",
            hello(NOW, 120),
            COMPACTED,
            Kind.FULL,
            "no longer held"),
        Arguments.of(
            "previous history, compacted away",
            hello(OLD, 50),
            COMPACTED,
            Kind.FULL,
            "no longer held"),
        Arguments.of("an empty slave", hello(OTHER, 0), HELD, Kind.FULL, "empty"),
        Arguments.of("another history", hello(OTHER, 10), HELD, Kind.REFUSE, "diverged"),
        Arguments.of(
            "another history, resync allowed",
            new Hello(Frame.VERSION, true, OTHER, 10, Frame.FLAG_RESYNC_OVER_DIVERGENCE),
            HELD,
            Kind.FULL,
            "allows a resync"),
        Arguments.of(
            "a slave ahead, resync allowed",
            new Hello(Frame.VERSION, true, NOW, 200, Frame.FLAG_RESYNC_OVER_DIVERGENCE),
            HELD,
            Kind.FULL,
            "allows a resync"),
        Arguments.of(
            "previous history past the fork, pointed here explicitly",
            new Hello(Frame.VERSION, true, OLD, 130, Frame.FLAG_ROLLBACK_ALLOWED),
            HELD,
            Kind.ROLLBACK,
            "100"),
        Arguments.of(
            "another history, pointed here explicitly",
            new Hello(Frame.VERSION, true, OTHER, 130, Frame.FLAG_ROLLBACK_ALLOWED),
            HELD,
            Kind.REFUSE,
            "diverged"),
        Arguments.of(
            "previous history within the fork, pointed here explicitly",
            new Hello(Frame.VERSION, true, OLD, 90, Frame.FLAG_ROLLBACK_ALLOWED),
            HELD,
            Kind.CONTINUE,
            "91"),
        Arguments.of(
            "wrong password",
            new Hello(Frame.VERSION, false, NOW, 120, 0),
            HELD,
            Kind.REFUSE,
            "auth"),
        Arguments.of(
            "another protocol version",
            new Hello(Frame.VERSION + 1, true, NOW, 120, 0),
            HELD,
            Kind.REFUSE,
            "version"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(String name, Hello hello, LongPredicate held, Kind kind, String detail) {
    long[] asked = {-1};
    Decision d =
        Handshake.decide(
            OURS,
            150,
            hello,
            lsn -> {
              asked[0] = lsn;
              return held.test(lsn);
            });
    assertThat(d.kind()).isEqualTo(kind);
    switch (kind) {
      case CONTINUE -> {
        assertThat(d.fromLsn()).isEqualTo(Long.parseLong(detail));
        assertThat(asked[0]).as("asked whether the log holds the first LSN").isEqualTo(d.fromLsn());
      }
      case FULL -> assertThat(d.reason()).contains(detail);
      case REFUSE -> {
        assertThat(d.code()).isEqualTo(detail);
        assertThat(asked[0]).as("a refusal opens nothing").isEqualTo(-1);
      }
      case ROLLBACK -> assertThat(d.fromLsn()).as("the fork LSN").isEqualTo(Long.parseLong(detail));
    }
  }
}
