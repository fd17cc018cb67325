package io.kvdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hints, usage lines and arity from the built-in table. */
class CommandTableTest {
  private final CommandTable table = CommandTable.builtIn();

  @Test
  void hintsShowTheArgumentsStillToType() {
    assertThat(table.hint(List.of("set"), false)).startsWith(" key value [NX | XX] [GET] [EX");
    assertThat(table.hint(List.of("set"), true)).startsWith("key value [NX | XX] [GET] [EX");
    assertThat(table.hint(List.of("set", "k"), true)).startsWith("value [NX | XX] [GET] [EX");
    assertThat(table.hint(List.of("get", "k"), true)).isEmpty();
    assertThat(table.hint(List.of("del", "a", "b"), true)).isEqualTo("[key ...]");
    assertThat(table.hint(List.of("nosuch"), true)).isEmpty();
    assertThat(table.hint(List.of("mset", "k"), true)).isEqualTo("value [key value ...]");
    assertThat(table.hint(List.of("mset", "k", "v"), true)).isEqualTo("[key value ...]");
  }

  @Test
  void replicationCommandsAreKnown() {
    assertThat(table.find("replicaof").usage()).isEqualTo("REPLICAOF host port | NO ONE");
    assertThat(table.find("SLAVEOF").accepts(3)).isTrue();
    assertThat(table.find("WAIT").usage()).isEqualTo("WAIT numreplicas timeout");
    assertThat(table.find("role").accepts(1)).isTrue();
    assertThat(table.find("debug").tokens()).contains("DIGEST");
    assertThat(table.hint(List.of("waitaof", "1"), true)).isEqualTo("numreplicas timeout");
  }

  @Test
  void usageAndArity() {
    CommandTable.Info get = table.find("get");
    assertThat(get.usage()).isEqualTo("GET key");
    assertThat(get.accepts(2)).isTrue();
    assertThat(get.accepts(1)).isFalse();
    assertThat(table.find("MSET").accepts(5)).isTrue();
  }

  /**
   * The built-in table is generated from the server's registry at build time: every command the
   * server has is in it with the server's arity, usage line, summary and example.
   */
  @Test
  void everyServerCommandIsKnownWithItsArity() {
    for (io.kvdb.server.command.CommandSpec spec :
        io.kvdb.server.commands.CommandFamilies.standard().all()) {
      CommandTable.Info info = table.find(spec.name());
      assertThat(info).as(spec.name()).isNotNull();
      if (!spec.name().equals("quit")) { // the CLI's own QUIT leaves the client
        assertThat(info.arity()).as(spec.name()).isEqualTo(spec.arity());
        assertThat(info.usage()).as(spec.name()).isEqualTo(spec.usage());
        assertThat(info.summary()).as(spec.name()).isEqualTo(spec.summary());
        assertThat(info.example()).as(spec.name()).isEqualTo(spec.example());
      }
    }
    assertThat(table.hint(List.of("set", "k", "v"), true))
        .isEqualTo(
            "[NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT"
                + " unix-time-milliseconds | KEEPTTL]");
  }
}
