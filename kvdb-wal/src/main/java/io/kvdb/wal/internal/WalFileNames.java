package io.kvdb.wal.internal;

import java.nio.file.Path;

/**
 * Owns every file name in a WAL directory. Segments and snapshots are named by an LSN zero-padded
 * to 20 digits, so that lexical order is LSN order: a segment by its first LSN ({@code
 * 00000000000000000001.wal}), a snapshot by the last LSN it covers ({@code
 * 00000000000000052000.snap}). Files being written carry a {@code .tmp} suffix and are deleted by
 * recovery.
 */
public final class WalFileNames {
  public static final String SEGMENT_SUFFIX = ".wal";
  public static final String SNAPSHOT_SUFFIX = ".snap";
  public static final String TMP_SUFFIX = ".tmp";
  public static final String LOCK_FILE = "LOCK";
  private static final int DIGITS = 20;

  private WalFileNames() {}

  public static String segmentName(long firstLsn) {
    return pad(firstLsn) + SEGMENT_SUFFIX;
  }

  public static String snapshotName(long lsn) {
    return pad(lsn) + SNAPSHOT_SUFFIX;
  }

  public static boolean isSegment(Path p) {
    return hasLsnName(p, SEGMENT_SUFFIX);
  }

  public static boolean isSnapshot(Path p) {
    return hasLsnName(p, SNAPSHOT_SUFFIX);
  }

  public static boolean isTemporary(Path p) {
    return p.getFileName().toString().endsWith(TMP_SUFFIX);
  }

  /** The LSN in a segment or snapshot file name. */
  public static long lsnOf(Path p) {
    return Long.parseLong(p.getFileName().toString().substring(0, DIGITS));
  }

  private static boolean hasLsnName(Path p, String suffix) {
    String n = p.getFileName().toString();
    if (n.length() != DIGITS + suffix.length() || !n.endsWith(suffix)) {
      return false;
    }
    for (int i = 0; i < DIGITS; i++) {
      if (!Character.isDigit(n.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static String pad(long lsn) {
    String s = Long.toString(lsn);
    return "0".repeat(DIGITS - s.length()) + s;
  }
}
