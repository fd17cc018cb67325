package io.kvdb.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jline.reader.LineReader;
import org.jline.reader.impl.history.DefaultHistory;

/**
 * History that never records secrets (AUTH, HELLO … AUTH, anything mentioning a password) and keeps
 * its file readable by its owner only.
 */
final class PrivateHistory extends DefaultHistory {
  private static final Pattern SENSITIVE =
      Pattern.compile("^\\s*(auth\\b|hello\\b.*\\bauth\\b)|pass", Pattern.CASE_INSENSITIVE);

  static boolean sensitive(String line) {
    return SENSITIVE.matcher(line.toLowerCase(Locale.ROOT)).find();
  }

  @Override
  public void add(Instant time, String line) {
    if (!sensitive(line)) {
      super.add(time, line);
    }
  }

  private Path file;

  @Override
  public void attach(LineReader reader) {
    Object f = reader.getVariable(LineReader.HISTORY_FILE);
    if (f != null) {
      file = Path.of(f.toString());
      restrict(file, true);
    }
    super.attach(reader);
  }

  @Override
  public void save() throws IOException {
    super.save();
    if (file != null) {
      restrict(file, false); // JLine may rewrite the file through a temporary one
    }
  }

  static void restrict(Path file, boolean create) {
    try {
      if (create && !Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      if (Files.exists(file)) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system, or not ours: history still works
    }
  }
}
