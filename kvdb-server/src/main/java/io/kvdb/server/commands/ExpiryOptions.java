package io.kvdb.server.commands;

import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandException;
import io.kvdb.server.command.RespErrors;

/**
 * The options of SET and GETEX, parsed exactly as Redis 7.0's {@code
 * parseExtendedStringArgumentsOrReply} parses them (which combinations are a syntax error, that a
 * repeated option is allowed and the last one wins), and the expiry they ask for turned into an
 * absolute time as its {@code getExpireMillisecondsOrReply} does.
 *
 * @param nx SET NX
 * @param xx SET XX
 * @param get SET GET
 * @param keepTtl SET KEEPTTL
 * @param persist GETEX PERSIST
 * @param expire the EX/PX/EXAT/PXAT argument, not yet validated; null for none
 * @param unit which of them: 'e' EX, 'p' PX, 'E' EXAT, 'P' PXAT
 * @param command the command, for the error text
 */
record ExpiryOptions(
    boolean nx,
    boolean xx,
    boolean get,
    boolean keepTtl,
    boolean persist,
    byte[] expire,
    char unit,
    String command) {

  /** Whether an expiry (EX, PX, EXAT, PXAT) was given. */
  boolean hasExpiry() {
    return expire != null;
  }

  /**
   * The expiry asked for as an absolute time (0 for none), validated now: SET checks it before
   * anything else, GETEX only once it found the key (as Redis 7.0 does).
   *
   * @throws CommandException "invalid expire time" or "not an integer"
   */
  long expireAt(long nowMillis) {
    if (expire == null) {
      return 0;
    }
    boolean seconds = unit == 'e' || unit == 'E';
    boolean relative = unit == 'e' || unit == 'p';
    return absolute(expire, seconds, relative, command, nowMillis);
  }

  /** What the options ask of the key's expiry when the value is written: for a PUT decision. */
  long putExpiry(long nowMillis) {
    return keepTtl ? Decision.KEEP_TTL : expireAt(nowMillis);
  }

  /**
   * Parses {@code a[from..]}.
   *
   * @param set true for SET (NX, XX, GET, KEEPTTL), false for GETEX (PERSIST)
   * @param command the command name for the invalid-expire-time error
   * @throws CommandException with Redis' error
   */
  static ExpiryOptions parse(byte[][] a, int from, boolean set, String command) {
    boolean nx = false;
    boolean xx = false;
    boolean get = false;
    boolean keepTtl = false;
    boolean persist = false;
    char unit = 0; // 'e' EX, 'p' PX, 'E' EXAT, 'P' PXAT
    byte[] expire = null;
    for (int j = from; j < a.length; j++) {
      byte[] opt = a[j];
      boolean hasNext = j < a.length - 1;
      boolean noExpiry = unit == 0;
      if (set && Args.isWord(opt, "nx") && !xx) {
        nx = true;
      } else if (set && Args.isWord(opt, "xx") && !nx) {
        xx = true;
      } else if (set && Args.isWord(opt, "get")) {
        get = true;
      } else if (set && Args.isWord(opt, "keepttl") && !persist && noExpiry) {
        keepTtl = true;
      } else if (!set && Args.isWord(opt, "persist") && noExpiry && !keepTtl) {
        persist = true;
      } else if (Args.isWord(opt, "ex") && !keepTtl && !persist && (noExpiry || unit == 'e')) {
        if (!hasNext) {
          throw new CommandException(RespErrors.SYNTAX);
        }
        unit = 'e';
        expire = a[++j];
      } else if (Args.isWord(opt, "px") && !keepTtl && !persist && (noExpiry || unit == 'p')) {
        if (!hasNext) {
          throw new CommandException(RespErrors.SYNTAX);
        }
        unit = 'p';
        expire = a[++j];
      } else if (Args.isWord(opt, "exat") && !keepTtl && !persist && (noExpiry || unit == 'E')) {
        if (!hasNext) {
          throw new CommandException(RespErrors.SYNTAX);
        }
        unit = 'E';
        expire = a[++j];
      } else if (Args.isWord(opt, "pxat") && !keepTtl && !persist && (noExpiry || unit == 'P')) {
        if (!hasNext) {
          throw new CommandException(RespErrors.SYNTAX);
        }
        unit = 'P';
        expire = a[++j];
      } else {
        throw new CommandException(RespErrors.SYNTAX);
      }
    }
    return new ExpiryOptions(nx, xx, get, keepTtl, persist, expire, unit, command);
  }

  /**
   * An expiry argument as an absolute Unix time in ms: a positive integer, in seconds or
   * milliseconds, relative to now or not; anything that is not positive or overflows is Redis'
   * "invalid expire time" error.
   */
  static long absolute(
      byte[] arg, boolean seconds, boolean relative, String command, long nowMillis) {
    long v = Args.integer(arg);
    if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
      throw new CommandException(RespErrors.invalidExpireTime(command));
    }
    if (seconds) {
      v *= 1000;
    }
    if (relative) {
      try {
        v = Math.addExact(v, nowMillis);
      } catch (ArithmeticException e) {
        throw new CommandException(RespErrors.invalidExpireTime(command));
      }
    }
    return v;
  }
}
