package io.kvdb.server.command;

import java.nio.charset.StandardCharsets;

/**
 * Every error string the server sends, worded as Redis words it (clients and test suites match on
 * them), in one place. Each constant is the text after the leading {@code -}.
 */
public final class RespErrors {
  private RespErrors() {}

  public static final String PROTOCOL_BIG_MBULK = "ERR Protocol error: too big mbulk count string";
  public static final String PROTOCOL_BIG_BULK_COUNT =
      "ERR Protocol error: too big bulk count string";
  public static final String PROTOCOL_MULTIBULK_LENGTH =
      "ERR Protocol error: invalid multibulk length";
  public static final String PROTOCOL_UNAUTH_MULTIBULK =
      "ERR Protocol error: unauthenticated multibulk length";
  public static final String PROTOCOL_UNAUTH_BULK =
      "ERR Protocol error: unauthenticated bulk length";
  public static final String PROTOCOL_BIG_INLINE = "ERR Protocol error: too big inline request";
  public static final String PROTOCOL_UNBALANCED_QUOTES =
      "ERR Protocol error: unbalanced quotes in request";

  public static final String NOAUTH = "NOAUTH Authentication required.";
  public static final String WRONGPASS =
      "WRONGPASS invalid username-password pair or user is disabled.";
  public static final String AUTH_NOT_CONFIGURED =
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
  public static final String NOPROTO = "NOPROTO unsupported protocol version";
  public static final String MAX_CLIENTS = "ERR max number of clients reached";
  public static final String READONLY = "READONLY You can't write against a read only replica.";
  public static final String NO_REPLICATION =
      "ERR replication needs a write-ahead log: this server runs in memory (no wal section in its"
          + " config)";
  public static final String REPLICAOF_SELF =
      "ERR REPLICAOF NO ONE is the only argument form without a port";
  public static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
  public static final String INVALID_MASTER_PORT = "ERR Invalid master port";
  public static final String WAITAOF_LOCAL =
      "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.";
  public static final String SYNTAX = "ERR syntax error";

  /** A read of a key whose last write never became durable, after the log failed. */
  public static final String LOST_WRITE =
      "MISCONF Errors writing to the write-ahead log: the last write of this key was not made"
          + " durable, and its value is not served";

  /** What a client sees of an unexpected failure (the server log has the details). */
  public static final String INTERNAL_ERROR = "ERR internal error (see the server log)";

  public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
  public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
  public static final String OVERFLOW = "ERR increment or decrement would overflow";
  public static final String INVALID_CURSOR = "ERR invalid cursor";
  public static final String DB_INDEX = "ERR DB index is out of range";
  public static final String WRONGTYPE =
      "WRONGTYPE Operation against a key holding the wrong kind of value";
  public static final String NOT_FLOAT = "ERR value is not a valid float";
  public static final String INCR_NAN = "ERR increment would produce NaN or Infinity";
  public static final String BIT_OFFSET = "ERR bit offset is not an integer or out of range";
  public static final String BIT_VALUE = "ERR bit is not an integer or out of range";
  public static final String BIT_ARGUMENT = "ERR The bit argument must be 1 or 0.";
  public static final String OFFSET_RANGE = "ERR offset is out of range";
  public static final String STRING_TOO_LONG =
      "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  public static final String NO_SUCH_KEY = "ERR no such key";
  public static final String SAME_OBJECT = "ERR source and destination objects are the same";
  public static final String EXPIRE_NX_AND_OTHERS =
      "ERR NX and XX, GT or LT options at the same time are not compatible";
  public static final String EXPIRE_GT_AND_LT =
      "ERR GT and LT options at the same time are not compatible";
  public static final String LCS_LEN_AND_IDX =
      "ERR If you want both the length and indexes, please just use IDX.";
  public static final String LCS_TOO_BIG =
      "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
  public static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";
  public static final String MULTI_NESTED = "ERR MULTI calls can not be nested";
  public static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
  public static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
  public static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
  public static final String MONITOR_IN_EXEC = "ERR MONITOR isn't allowed for DENY BLOCKING client";
  public static final String EXECABORT =
      "EXECABORT Transaction discarded because of previous errors.";
  public static final String NO_LFU =
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that"
          + " when switching between policies at runtime LRU and LFU data will take some time to"
          + " adjust.";
  public static final String NO_IDLE_TIME =
      "ERR kvdb does not track when keys were last read (it has no LRU eviction), so there is no"
          + " idle time to report";
  public static final String NOTHING_TO_SAVE =
      "ERR this server runs in memory (no wal section in its config): there is nothing to save to";
  public static final String BGSAVE_IN_PROGRESS = "ERR Background save already in progress";
  public static final String CLIENT_NAME_SPACES =
      "ERR Client names cannot contain spaces, newlines or special characters.";
  public static final String PROTECTED_MODE =
      "DENIED kvdb is running in protected mode because protected mode is enabled and no password is set. "
          + "In this mode connections are only accepted from the loopback interface. "
          + "If you want to connect from external computers, either set network.password in the config file, "
          + "or disable protected mode with network.protected_mode: false, "
          + "or bind to 127.0.0.1 only (network.ip). Restart the server after changing the config.";

  public static String protocolExpectedDollar(byte got) {
    return "ERR Protocol error: expected '$', got '" + (char) (got & 0xff) + "'";
  }

  public static String protocolBulkLength(long max) {
    return "ERR Protocol error: invalid bulk length (network.max_message_size is "
        + max
        + " bytes)";
  }

  public static String protocolRequestTooBig(long max) {
    return "ERR Protocol error: request larger than network.max_message_size (" + max + " bytes)";
  }

  /**
   * A client whose unparsed input passed {@code client-query-buffer-limit}; Redis closes such a
   * client without a word, kvdb says why first.
   */
  public static String queryBufferLimit(long buffered, long max) {
    return "ERR Protocol error: "
        + buffered
        + " bytes of unparsed input, over client-query-buffer-limit ("
        + max
        + " bytes)";
  }

  /** Redis' text for an expiry that is not positive or overflows, naming the command. */
  public static String invalidExpireTime(String command) {
    return "ERR invalid expire time in '" + command + "' command";
  }

  /** Redis' reply to an EXEC refused before it ran (wrong arity, NOAUTH, ...). */
  public static String execAbort(String error) {
    return "EXECABORT Transaction discarded because of: "
        + (error.startsWith("ERR ") ? error.substring(4) : error);
  }

  public static String unsupportedOption(String option) {
    return "ERR Unsupported option " + option;
  }

  public static String wrongArity(String command) {
    return "ERR wrong number of arguments for '" + command + "' command";
  }

  /** Redis' addReplySubcommandSyntaxError: a known subcommand with arguments it does not take. */
  public static String subcommandSyntax(String sub, String command) {
    return "ERR unknown subcommand or wrong number of arguments for '"
        + sub
        + "'. Try "
        + command.toUpperCase()
        + " HELP.";
  }

  public static String unknownSubcommand(String sub, String command) {
    return "ERR unknown subcommand '" + sub + "'. Try " + command.toUpperCase() + " HELP.";
  }

  /** Redis 7's text: the command name, then up to 128 characters of its arguments, quoted. */
  public static String unknownCommand(byte[][] argv) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < argv.length && args.length() < 128; i++) {
      String a = new String(argv[i], StandardCharsets.UTF_8);
      int room = 128 - args.length();
      args.append('\'').append(a, 0, Math.min(a.length(), room)).append("' ");
    }
    String name = new String(argv[0], StandardCharsets.UTF_8);
    return "ERR unknown command '"
        + (name.length() > 128 ? name.substring(0, 128) : name)
        + "', with args beginning with: "
        + args;
  }

  public static String internal(String what) {
    return "ERR " + what;
  }
}
