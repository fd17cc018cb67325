package io.kvdb.wal.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A log or snapshot file is damaged somewhere other than a torn tail; names the file and offset.
 */
public class CorruptLogException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  public CorruptLogException(Path file, long offset, String problem) {
    super(problem + " in " + file + " at byte offset " + offset);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
