package io.kvdb.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * INCRBYFLOAT's arithmetic against replies recorded from redis-server 7.0.15 on x86-64 (so this
 * runs where Redis is not installed; {@code RedisDifferentialTest} compares live where it is).
 */
class LongDoubleTest {
  private static String add(String a, String b) {
    LongDouble.Value x = LongDouble.parse(a.getBytes(StandardCharsets.US_ASCII));
    LongDouble.Value y = LongDouble.parse(b.getBytes(StandardCharsets.US_ASCII));
    return new String(LongDouble.format(LongDouble.add(x, y).value()), StandardCharsets.US_ASCII);
  }

  @Test
  void sumsPrintAsRedisPrintsThem() {
    assertThat(add("5000", "0.1")).isEqualTo("5000.10000000000000009");
    assertThat(add("10.5", "0.1")).isEqualTo("10.6");
    assertThat(add("10.6", "-5")).isEqualTo("5.6");
    assertThat(add("5.0e3", "2.0e2")).isEqualTo("5200");
    assertThat(add("3.0e3", "1.5e-5")).isEqualTo("3000.0000150000000001");
    assertThat(add("0", "0.3")).isEqualTo("0.3");
    assertThat(add("0.3", "0.3")).isEqualTo("0.6");
    assertThat(add("0.6", "123456789.123456789")).isEqualTo("123456789.72345678899728227");
    assertThat(add("1", "-1")).isEqualTo("0");
    assertThat(add("0", "-0.0")).isEqualTo("0");
    assertThat(add("99999999999999999999", "1")).isEqualTo("100000000000000000000");
    assertThat(add("0", "0x10")).isEqualTo("16");
    assertThat(add("10.6", "1e300"))
        .isEqualTo(
            "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144");
  }

  @Test
  void whatRedisRefusesIsRefused() {
    for (String bad : new String[] {"abc", " 1", "1 ", "nan", "1e5000", "1e-5000", "1e", "", "."}) {
      assertThat(LongDouble.parse(bad.getBytes(StandardCharsets.US_ASCII))).as(bad).isNull();
    }
    LongDouble.Value inf = LongDouble.parse("inf".getBytes(StandardCharsets.US_ASCII));
    assertThat(inf).isNotNull();
    assertThat(inf.finite()).isFalse();
    assertThat(LongDouble.add(inf, LongDouble.round(java.math.BigDecimal.ONE)).finite()).isFalse();
  }
}
