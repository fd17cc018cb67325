package io.kvdb.server.commands;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * INCRBYFLOAT's arithmetic, bit for bit as Redis does it on x86-64: numbers parsed like C's {@code
 * strtold} into an 80-bit {@code long double} (64-bit mantissa, 15-bit exponent), added and rounded
 * to that precision, and printed with {@code "%.17Lf"} minus trailing zeros. A Java {@code double}
 * would answer {@code 5000.1} where Redis answers {@code 5000.10000000000000009}; so values are
 * held exactly as {@link BigDecimal}s (an 80-bit value is a dyadic rational) and rounded to 64
 * significant bits, half to even, after each step. Stateless.
 */
final class LongDouble {
  /** Redis' MAX_LONG_DOUBLE_CHARS: longer strings are not numbers to it. */
  static final int MAX_CHARS = 5 * 1024;

  private static final int MANTISSA_BITS = 64;
  private static final int MAX_EXPONENT = 16384; // values at or above 2^16384 overflow
  private static final int MIN_EXPONENT = -16445; // below the smallest subnormal: underflow

  /** A parsed value: finite ({@code value}), or infinite with a sign, or not a number. */
  record Value(BigDecimal value, int infinity, boolean nan) {
    boolean finite() {
      return value != null;
    }
  }

  private LongDouble() {}

  /**
   * Parses as Redis' {@code getLongDoubleFromObject}: the whole string must be a number (no leading
   * space, nothing after it), decimal or hex, or inf; NaN, and numbers that overflow or underflow
   * to zero, are not accepted.
   *
   * @return null when Redis would answer "value is not a valid float"
   */
  static Value parse(byte[] raw) {
    if (raw.length == 0 || raw.length > MAX_CHARS || Character.isWhitespace(raw[0])) {
      return null;
    }
    String s = new String(raw, StandardCharsets.ISO_8859_1);
    int i = 0;
    boolean negative = false;
    if (s.charAt(0) == '+' || s.charAt(0) == '-') {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    String rest = s.substring(i).toLowerCase(Locale.ROOT);
    if (rest.equals("inf") || rest.equals("infinity")) {
      return new Value(null, negative ? -1 : 1, false);
    }
    if (rest.startsWith("nan")) {
      return null; // NaN is refused
    }
    BigDecimal exact;
    try {
      exact = rest.startsWith("0x") ? parseHex(rest.substring(2)) : parseDecimal(rest);
    } catch (NumberFormatException e) {
      return null;
    }
    if (exact == null) {
      return null;
    }
    if (negative) {
      exact = exact.negate();
    }
    Value v = round(exact);
    if (!v.finite() || (v.value().signum() == 0 && exact.signum() != 0)) {
      return null; // ERANGE: overflow to infinity, or underflow to zero
    }
    return v;
  }

  private static BigDecimal parseDecimal(String s) {
    int e = s.indexOf('e');
    String mantissa = e < 0 ? s : s.substring(0, e);
    String exponent = e < 0 ? null : s.substring(e + 1);
    if (mantissa.isEmpty() || mantissa.equals(".") || !mantissa.matches("[0-9]*\\.?[0-9]*")) {
      return null;
    }
    if (exponent != null && !exponent.matches("[+-]?[0-9]+")) {
      return null;
    }
    BigDecimal m = new BigDecimal(mantissa.startsWith(".") ? "0" + mantissa : mantissa);
    if (exponent == null) {
      return m;
    }
    long x;
    try {
      x = Long.parseLong(exponent.startsWith("+") ? exponent.substring(1) : exponent);
    } catch (NumberFormatException overflow) {
      x = exponent.startsWith("-") ? -100_000 : 100_000;
    }
    x = Math.max(-100_000, Math.min(100_000, x)); // far past both ends of the range anyway
    return m.signum() == 0 ? BigDecimal.ZERO : m.scaleByPowerOfTen((int) x);
  }

  private static BigDecimal parseHex(String s) {
    int p = s.indexOf('p');
    String digits = p < 0 ? s : s.substring(0, p);
    String exponent = p < 0 ? null : s.substring(p + 1);
    if (digits.isEmpty() || digits.equals(".") || !digits.matches("[0-9a-f]*\\.?[0-9a-f]*")) {
      return null;
    }
    if (exponent != null && !exponent.matches("[+-]?[0-9]+")) {
      return null;
    }
    int dot = digits.indexOf('.');
    String whole = dot < 0 ? digits : digits.substring(0, dot) + digits.substring(dot + 1);
    int fractionDigits = dot < 0 ? 0 : digits.length() - dot - 1;
    BigInteger m = whole.isEmpty() ? BigInteger.ZERO : new BigInteger(whole, 16);
    long bits = -4L * fractionDigits;
    if (exponent != null) {
      long x;
      try {
        x = Long.parseLong(exponent.startsWith("+") ? exponent.substring(1) : exponent);
      } catch (NumberFormatException overflow) {
        x = exponent.startsWith("-") ? -100_000 : 100_000;
      }
      bits += Math.max(-100_000, Math.min(100_000, x));
    }
    return times2(new BigDecimal(m), bits);
  }

  /** {@code v * 2^bits}, exactly. */
  private static BigDecimal times2(BigDecimal v, long bits) {
    if (bits >= 0) {
      return v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft((int) bits)));
    }
    // 2^-n = 5^n / 10^n: exact.
    return v.multiply(new BigDecimal(BigInteger.valueOf(5).pow((int) -bits)))
        .scaleByPowerOfTen((int) bits);
  }

  /** Rounds an exact value to the nearest 80-bit long double (half to even). */
  static Value round(BigDecimal exact) {
    if (exact.signum() == 0) {
      return new Value(BigDecimal.ZERO, 0, false);
    }
    BigDecimal a = exact.abs();
    // a = num / den with integers.
    BigInteger num;
    BigInteger den;
    if (a.scale() > 0) {
      num = a.unscaledValue();
      den = BigInteger.TEN.pow(a.scale());
    } else {
      num = a.unscaledValue().multiply(BigInteger.TEN.pow(-a.scale()));
      den = BigInteger.ONE;
    }
    // e: 2^e <= a < 2^(e+1)
    long e = (long) num.bitLength() - den.bitLength();
    if (compareShifted(num, den, e) < 0) {
      e--;
    }
    if (e >= MAX_EXPONENT) {
      return new Value(null, exact.signum(), false);
    }
    if (e < MIN_EXPONENT - 1) {
      return new Value(BigDecimal.ZERO, 0, false);
    }
    // m = round(a * 2^(63 - e)), 2^63 <= m <= 2^64
    long shift = MANTISSA_BITS - 1 - e;
    BigInteger n = shift >= 0 ? num.shiftLeft((int) shift) : num;
    BigInteger d = shift >= 0 ? den : den.shiftLeft((int) -shift);
    BigInteger[] qr = n.divideAndRemainder(d);
    BigInteger m = qr[0];
    int half = qr[1].shiftLeft(1).compareTo(d);
    if (half > 0 || (half == 0 && m.testBit(0))) {
      m = m.add(BigInteger.ONE);
    }
    if (m.bitLength() > MANTISSA_BITS && e + 1 >= MAX_EXPONENT) {
      return new Value(null, exact.signum(), false);
    }
    BigDecimal rounded = times2(new BigDecimal(m), -shift);
    return new Value(exact.signum() < 0 ? rounded.negate() : rounded, 0, false);
  }

  /** Compares num/den with 2^e. */
  private static int compareShifted(BigInteger num, BigInteger den, long e) {
    return e >= 0 ? num.compareTo(den.shiftLeft((int) e)) : num.shiftLeft((int) -e).compareTo(den);
  }

  /** {@code a + b} in long double arithmetic; infinite or NaN results are returned as such. */
  static Value add(Value a, Value b) {
    if (a.finite() && b.finite()) {
      return round(a.value().add(b.value()));
    }
    int inf = a.finite() ? b.infinity() : b.finite() ? a.infinity() : 0;
    if (!a.finite() && !b.finite() && a.infinity() != b.infinity()) {
      return new Value(null, 0, true);
    }
    return new Value(null, inf != 0 ? inf : a.infinity(), false);
  }

  /** Redis' {@code ld2string(..., LD_STR_HUMAN)}: {@code "%.17Lf"}, trailing zeros removed. */
  static byte[] format(BigDecimal v) {
    String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    if (s.indexOf('.') >= 0) {
      int end = s.length();
      while (s.charAt(end - 1) == '0') {
        end--;
      }
      if (s.charAt(end - 1) == '.') {
        end--;
      }
      s = s.substring(0, end);
    }
    if (s.equals("-0")) {
      s = "0";
    }
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
