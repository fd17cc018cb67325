package io.kvdb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.Widget;
import org.jline.terminal.Terminal;

/**
 * The interactive loop: prompt {@code kv-db> }, TAB completion, argument hints after the cursor,
 * persistent private history. Ctrl-C cancels the line, Ctrl-D (or EXIT/QUIT) says Goodbye! and
 * exits 0.
 */
public final class Repl {
  static final String PROMPT = "kv-db> ";
  private static final int HISTORY_SIZE = 1000;

  private final Terminal terminal;
  private final RespConnection connection;
  private final CommandTable table;
  private final Path historyFile;

  public Repl(Terminal terminal, RespConnection connection, CommandTable table, Path historyFile) {
    this.terminal = terminal;
    this.connection = connection;
    this.table = table;
    this.historyFile = historyFile;
  }

  public int run() {
    LineReaderBuilder builder =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("kvdb-cli")
            .completer(new CommandCompleter(table))
            .history(new PrivateHistory())
            .variable(LineReader.HISTORY_SIZE, HISTORY_SIZE)
            .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_SIZE)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.CASE_INSENSITIVE, true)
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, true);
    if (historyFile != null) {
      builder.variable(LineReader.HISTORY_FILE, historyFile);
    }
    LineReader reader = builder.build();
    installHints(reader);
    PrintWriter out = terminal.writer();
    out.println("KV-DB Client");
    out.println("Type 'HELP' for available commands or 'EXIT'/'QUIT' to quit");
    out.println();
    out.flush();
    Session session = new Session(connection, table, out);
    while (true) {
      String line;
      try {
        line = reader.readLine(PROMPT);
      } catch (UserInterruptException e) {
        continue; // Ctrl-C: drop the line, keep going
      } catch (EndOfFileException e) {
        out.println("Goodbye!");
        out.flush();
        return 0;
      }
      reader.setTailTip(""); // the finished line's hint must not follow us to the next prompt
      if (session.execute(line) == Session.Outcome.EXIT) {
        return 0;
      }
    }
  }

  /** Shows the remaining argument syntax after the cursor, updated on every edit. */
  private void installHints(LineReader reader) {
    reader.setAutosuggestion(LineReader.SuggestionType.TAIL_TIP);
    Map<String, Widget> widgets = reader.getWidgets();
    for (String name :
        List.of(
            LineReader.SELF_INSERT,
            LineReader.BACKWARD_DELETE_CHAR,
            LineReader.DELETE_CHAR,
            LineReader.BACKWARD_KILL_WORD,
            LineReader.KILL_WHOLE_LINE)) {
      Widget original = widgets.get(name);
      if (original == null) {
        continue;
      }
      widgets.put(
          name,
          () -> {
            boolean result = original.apply();
            reader.setTailTip(hint(reader.getBuffer().toString()));
            return result;
          });
    }
  }

  String hint(String buffer) {
    List<String> words = new ArrayList<>(List.of(buffer.trim().split("\\s+")));
    if (buffer.isBlank()) {
      return "";
    }
    return table.hint(words, buffer.endsWith(" ")).stripLeading();
  }
}
