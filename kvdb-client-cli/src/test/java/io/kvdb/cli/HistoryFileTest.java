package io.kvdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The history file follows KVDB_HISTFILE, then $HOME, as redis-cli's does. */
class HistoryFileTest {
  @Test
  void histfileThenHomeThenTheAccountsDirectory() {
    assertThat(KvdbCli.defaultHistoryFile(Map.of("KVDB_HISTFILE", "/tmp/h", "HOME", "/home/x")))
        .isEqualTo(Path.of("/tmp/h"));
    assertThat(KvdbCli.defaultHistoryFile(Map.of("HOME", "/elsewhere")))
        .isEqualTo(Path.of("/elsewhere", ".kvdb_history"));
    assertThat(KvdbCli.defaultHistoryFile(Map.of("KVDB_HISTFILE", "", "HOME", "/elsewhere")))
        .isEqualTo(Path.of("/elsewhere", ".kvdb_history"));
    assertThat(KvdbCli.defaultHistoryFile(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".kvdb_history"));
  }
}
