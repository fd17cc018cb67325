package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.FAST;
import static io.kvdb.server.command.CommandFlag.READONLY;
import static io.kvdb.server.command.CommandFlag.WRITE;

import io.kvdb.core.KeyFunction.Decision;
import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandException;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.util.Arrays;

/**
 * Bit operations on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, with Redis' bit order (bit 0
 * is the most significant bit of the first byte), its BYTE/BIT ranges with negative indexes, and
 * its argument errors. SETBIT grows the value with zero bytes and keeps the key's expiry.
 */
public final class BitCommands {
  private static final String GROUP = "bitmap";

  private BitCommands() {}

  public static void register(CommandRegistry r) {
    ArgDoc unit = ArgDoc.oneOf("unit", ArgDoc.token("BYTE"), ArgDoc.token("BIT")).asOptional();
    r.add(
        CommandSpec.named("setbit")
            .group(GROUP)
            .arity(4)
            .flags(WRITE)
            .key(1)
            .summary(
                "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.")
            .example("SETBIT flags 7 1")
            .args(key("key"), ArgDoc.integer("offset"), ArgDoc.integer("value"))
            .handler(BitCommands::setbit));
    r.add(
        CommandSpec.named("getbit")
            .group(GROUP)
            .arity(3)
            .flags(READONLY, FAST)
            .key(1)
            .summary("Returns a bit value by offset.")
            .example("GETBIT flags 7")
            .args(key("key"), ArgDoc.integer("offset"))
            .handler(
                (c, a) -> {
                  long offset = bitOffset(c, a[2]);
                  byte[] v = c.get(a[1]);
                  long index = offset >> 3;
                  if (v == null || index >= v.length) {
                    return Reply.ZERO;
                  }
                  return Reply.integer((v[(int) index] >> (7 - (offset & 7))) & 1);
                }));
    r.add(
        CommandSpec.named("bitcount")
            .group(GROUP)
            .arity(-2)
            .flags(READONLY)
            .key(1)
            .summary("Counts the number of set bits (population counting) in a string.")
            .example("BITCOUNT flags 0 -1 BYTE")
            .args(
                key("key"),
                ArgDoc.block("range", ArgDoc.integer("start"), ArgDoc.integer("end"), unit)
                    .asOptional())
            .handler(BitCommands::bitcount));
    r.add(
        CommandSpec.named("bitpos")
            .group(GROUP)
            .arity(-3)
            .flags(READONLY)
            .key(1)
            .summary("Finds the first set (1) or clear (0) bit in a string.")
            .example("BITPOS flags 1")
            .args(
                key("key"),
                ArgDoc.integer("bit"),
                ArgDoc.block(
                        "range",
                        ArgDoc.integer("start"),
                        ArgDoc.block("end-unit-block", ArgDoc.integer("end"), unit).asOptional())
                    .asOptional())
            .handler(BitCommands::bitpos));
  }

  /** A bit offset: an integer from 0 to the largest value's bit count, else Redis' error. */
  private static long bitOffset(CommandContext c, byte[] arg) {
    long offset;
    try {
      offset = Args.parseLong(arg);
    } catch (NumberFormatException e) {
      throw new CommandException(RespErrors.BIT_OFFSET);
    }
    if (offset < 0 || (offset >> 3) >= c.server().config().network().maxMessageSize()) {
      throw new CommandException(RespErrors.BIT_OFFSET);
    }
    return offset;
  }

  private static Reply setbit(CommandContext c, byte[][] a) {
    long offset = bitOffset(c, a[2]);
    long on;
    try {
      on = Args.parseLong(a[3]);
    } catch (NumberFormatException e) {
      throw new CommandException(RespErrors.BIT_VALUE);
    }
    if ((on & ~1L) != 0) {
      return Reply.error(RespErrors.BIT_VALUE);
    }
    int index = (int) (offset >> 3);
    int shift = 7 - (int) (offset & 7);
    return Reply.later(
        c.writes()
            .computeEntry(
                a[1],
                (cur, at) -> {
                  byte[] v = cur == null ? new byte[0] : cur;
                  StringEditCommands.ensureRoom(c, v.length, (long) index + 1);
                  int old = index < v.length ? (v[index] >> shift) & 1 : 0;
                  if (index < v.length && old == on) {
                    return Decision.keep(Reply.integer(old)); // nothing changes, nothing logged
                  }
                  byte[] next = index < v.length ? v : Arrays.copyOf(v, index + 1);
                  next[index] =
                      (byte) (on == 1 ? next[index] | (1 << shift) : next[index] & ~(1 << shift));
                  return Decision.put(next, Decision.KEEP_TTL, Reply.integer(old));
                }));
  }

  /**
   * The inclusive byte range of a BITCOUNT or BITPOS, and the bits of its end bytes to leave out.
   */
  private record Range(long start, long end, int firstMask, int lastMask) {}

  /** Redis' conversion of start/end (negative from the end, clamped) in BYTE or BIT units. */
  private static Range range(long start, long end, boolean bit, long length) {
    long total = bit ? length << 3 : length;
    if (start < 0) {
      start = total + start;
    }
    if (end < 0) {
      end = total + end;
    }
    start = Math.max(start, 0);
    end = Math.max(end, 0);
    if (end >= total) {
      end = total - 1;
    }
    int firstMask = 0;
    int lastMask = 0;
    if (bit && start <= end) {
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xFF;
      lastMask = (1 << (7 - (end & 7))) - 1;
      start >>= 3;
      end >>= 3;
    }
    return new Range(start, end, firstMask, lastMask);
  }

  private static boolean unitIsBit(byte[] arg) {
    if (Args.isWord(arg, "bit")) {
      return true;
    }
    if (Args.isWord(arg, "byte")) {
      return false;
    }
    throw new CommandException(RespErrors.SYNTAX);
  }

  private static Reply bitcount(CommandContext c, byte[][] a) {
    Range r;
    byte[] v;
    if (a.length == 4 || a.length == 5) {
      long start = Args.integer(a[2]);
      long end = Args.integer(a[3]);
      boolean bit = a.length == 5 && unitIsBit(a[4]);
      v = c.get(a[1]);
      if (v == null) {
        return Reply.ZERO;
      }
      if (start < 0 && end < 0 && start > end) {
        return Reply.ZERO;
      }
      r = range(start, end, bit, v.length);
    } else if (a.length == 2) {
      v = c.get(a[1]);
      if (v == null) {
        return Reply.ZERO;
      }
      r = new Range(0, v.length - 1L, 0, 0);
    } else {
      return Reply.error(RespErrors.SYNTAX);
    }
    if (r.start() > r.end()) {
      return Reply.ZERO;
    }
    long count = 0;
    for (long i = r.start(); i <= r.end(); i++) {
      count += Integer.bitCount(v[(int) i] & 0xFF);
    }
    count -= Integer.bitCount(v[(int) r.start()] & r.firstMask());
    count -= Integer.bitCount(v[(int) r.end()] & r.lastMask());
    return Reply.integer(count);
  }

  private static Reply bitpos(CommandContext c, byte[][] a) {
    long bitArg;
    try {
      bitArg = Args.parseLong(a[2]);
    } catch (NumberFormatException e) {
      throw new CommandException(RespErrors.NOT_INTEGER);
    }
    if (bitArg != 0 && bitArg != 1) {
      return Reply.error(RespErrors.BIT_ARGUMENT);
    }
    int bit = (int) bitArg;
    boolean ranged = a.length >= 4 && a.length <= 6;
    long start = 0;
    long end = 0;
    boolean endGiven = false;
    boolean isBit = false;
    if (ranged) {
      start = Args.integer(a[3]);
      if (a.length == 6) {
        isBit = unitIsBit(a[5]);
      }
      if (a.length >= 5) {
        end = Args.integer(a[4]);
        endGiven = true;
      }
    } else if (a.length != 3) {
      return Reply.error(RespErrors.SYNTAX);
    }
    byte[] v = c.get(a[1]);
    if (v == null) {
      return Reply.integer(bit == 1 ? -1 : 0);
    }
    Range r;
    if (ranged) {
      if (!endGiven) {
        end = isBit ? ((long) v.length << 3) - 1 : v.length - 1L;
      }
      r = range(start, end, isBit, v.length);
    } else {
      r = new Range(0, v.length - 1L, 0, 0);
    }
    if (r.start() > r.end()) {
      return Reply.integer(-1);
    }
    // Bits outside the range are set to the opposite of what is sought, then the bytes searched.
    for (long i = r.start(); i <= r.end(); i++) {
      int b = v[(int) i] & 0xFF;
      int outside = (i == r.start() ? r.firstMask() : 0) | (i == r.end() ? r.lastMask() : 0);
      b = bit == 1 ? b & ~outside : b | outside;
      int target = bit == 1 ? b : ~b & 0xFF;
      if (target != 0) {
        return Reply.integer((i << 3) + Integer.numberOfLeadingZeros(target) - 24);
      }
    }
    if (bit == 1 || endGiven) {
      return Reply.integer(-1); // no clear bit inside an explicit range
    }
    return Reply.integer((r.end() + 1) << 3); // past the end of the string, bits are clear
  }
}
