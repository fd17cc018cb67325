package io.kvdb.cli;

import java.util.List;
import java.util.Locale;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/** TAB completion: command names in the first word (any case), then the command's keywords. */
final class CommandCompleter implements Completer {
  private final CommandTable table;

  CommandCompleter(CommandTable table) {
    this.table = table;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    String word = line.word();
    boolean lower = !word.isEmpty() && word.equals(word.toLowerCase(Locale.ROOT));
    if (line.wordIndex() == 0) {
      for (CommandTable.Info i : table.all()) {
        String value = lower ? i.name().toLowerCase(Locale.ROOT) : i.name();
        candidates.add(new Candidate(value, value, null, i.summary(), null, null, true));
      }
      return;
    }
    CommandTable.Info info = table.find(line.words().get(0));
    if (info == null) {
      return;
    }
    for (String token : info.tokens()) {
      String value = lower ? token.toLowerCase(Locale.ROOT) : token;
      candidates.add(new Candidate(value, value, null, null, null, null, true));
    }
  }
}
