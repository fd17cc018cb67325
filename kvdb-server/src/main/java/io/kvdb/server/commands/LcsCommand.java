package io.kvdb.server.commands;

import static io.kvdb.server.command.ArgDoc.key;
import static io.kvdb.server.command.CommandFlag.READONLY;

import io.kvdb.server.command.ArgDoc;
import io.kvdb.server.command.Args;
import io.kvdb.server.command.CommandContext;
import io.kvdb.server.command.CommandRegistry;
import io.kvdb.server.command.CommandSpec;
import io.kvdb.server.command.Reply;
import io.kvdb.server.command.RespErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * LCS: the longest common subsequence of two string values, as Redis 7.0 computes it — the same
 * dynamic-programming table and the same walk back from its end, so that with IDX the matches and
 * their order are Redis' own. The table takes 4 bytes per pair of positions; a pair of strings
 * whose table would exceed the largest value size is refused, as Redis refuses one over its
 * proto-max-bulk-len. It runs on the connection's event loop: O(n·m) time.
 */
public final class LcsCommand {
  private LcsCommand() {}

  public static void register(CommandRegistry r) {
    r.add(
        CommandSpec.named("lcs")
            .group("string")
            .arity(-3)
            .flags(READONLY)
            .keys(1, 2, 1)
            .summary("Finds the longest common substring.")
            .example("LCS key1 key2 IDX")
            .args(
                key("key1"),
                key("key2"),
                ArgDoc.token("LEN").asOptional(),
                ArgDoc.token("IDX").asOptional(),
                ArgDoc.tokenWith("MINMATCHLEN", ArgDoc.integer("min-match-len")).asOptional(),
                ArgDoc.token("WITHMATCHLEN").asOptional())
            .handler(LcsCommand::lcs));
  }

  private static Reply lcs(CommandContext c, byte[][] argv) {
    boolean getLen = false;
    boolean getIdx = false;
    boolean withMatchLen = false;
    long minMatchLen = 0;
    for (int j = 3; j < argv.length; j++) {
      boolean moreArgs = argv.length - 1 - j > 0;
      if (Args.isWord(argv[j], "idx")) {
        getIdx = true;
      } else if (Args.isWord(argv[j], "len")) {
        getLen = true;
      } else if (Args.isWord(argv[j], "withmatchlen")) {
        withMatchLen = true;
      } else if (Args.isWord(argv[j], "minmatchlen") && moreArgs) {
        minMatchLen = Math.max(0, Args.integer(argv[++j]));
      } else {
        return Reply.error(RespErrors.SYNTAX);
      }
    }
    List<byte[]> values = c.getAll(List.of(argv[1], argv[2]));
    byte[] a = values.get(0) == null ? new byte[0] : values.get(0);
    byte[] b = values.get(1) == null ? new byte[0] : values.get(1);
    if (getIdx && getLen) {
      return Reply.error(RespErrors.LCS_LEN_AND_IDX);
    }
    int alen = a.length;
    int blen = b.length;
    long cells = (long) (alen + 1) * (blen + 1);
    if (cells * 4 > c.server().config().network().maxMessageSize() || cells > Integer.MAX_VALUE) {
      return Reply.error(RespErrors.LCS_TOO_BIG);
    }
    int w = blen + 1;
    int[] dp = new int[(int) cells];
    for (int i = 1; i <= alen; i++) {
      for (int j = 1; j <= blen; j++) {
        if (a[i - 1] == b[j - 1]) {
          dp[i * w + j] = dp[(i - 1) * w + j - 1] + 1;
        } else {
          dp[i * w + j] = Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
        }
      }
    }
    int idx = dp[alen * w + blen];
    if (getLen) {
      return Reply.integer(idx);
    }
    byte[] result = new byte[idx];
    List<Reply> matches = new ArrayList<>();
    int arangeStart = alen; // alen means "no range being tracked"
    int arangeEnd = 0;
    int brangeStart = 0;
    int brangeEnd = 0;
    int i = alen;
    int j = blen;
    while (i > 0 && j > 0) {
      boolean emit = false;
      if (a[i - 1] == b[j - 1]) {
        result[idx - 1] = a[i - 1];
        if (arangeStart == alen) {
          arangeStart = i - 1;
          arangeEnd = i - 1;
          brangeStart = j - 1;
          brangeEnd = j - 1;
        } else if (arangeStart == i && brangeStart == j) {
          arangeStart--; // contiguous: extend the range backwards
          brangeStart--;
        } else {
          emit = true;
        }
        if (arangeStart == 0 || brangeStart == 0) {
          emit = true;
        }
        idx--;
        i--;
        j--;
      } else {
        if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) {
          i--;
        } else {
          j--;
        }
        if (arangeStart != alen) {
          emit = true;
        }
      }
      int matchLen = arangeEnd - arangeStart + 1;
      if (emit) {
        if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
          List<Reply> m = new ArrayList<>(3);
          m.add(Reply.array(List.of(Reply.integer(arangeStart), Reply.integer(arangeEnd))));
          m.add(Reply.array(List.of(Reply.integer(brangeStart), Reply.integer(brangeEnd))));
          if (withMatchLen) {
            m.add(Reply.integer(matchLen));
          }
          matches.add(Reply.array(m));
        }
        arangeStart = alen; // start looking for the next range
      }
    }
    if (getIdx) {
      return Reply.array(
          List.of(
              Reply.bulk("matches"),
              Reply.array(matches),
              Reply.bulk("len"),
              Reply.integer(dp[alen * w + blen])));
    }
    return Reply.bulk(result);
  }
}
