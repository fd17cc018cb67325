package io.kvdb.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-sync switch inside the data directory, cut at every step: a start finishes what a SWITCH
 * marker names and removes what an unfinished sync left, never mixing old and new files.
 */
class DataDirsTest {
  @TempDir Path d;

  private void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private String contents() throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return String.join(
          ",",
          s.map(
                  p -> {
                    try {
                      return p.getFileName()
                          + (Files.isRegularFile(p) ? "=" + Files.readString(p) : "/");
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .sorted()
              .toList());
    }
  }

  private void oldAndNew() throws Exception {
    write(d.resolve("00000000000000000001.wal"), "old-seg");
    write(d.resolve("HISTORY"), "old-hist");
    write(d.resolve("REPLICA_ID"), "id");
    write(d.resolve("LOCK"), "");
    write(d.resolve(".fullsync/00000000000000000100.snap"), "new-snap");
    write(d.resolve(".fullsync/HISTORY"), "new-hist");
    write(d.resolve(".fullsync/LOCK"), "");
  }

  private static final String NEW =
      "00000000000000000100.snap=new-snap,HISTORY=new-hist,LOCK=,REPLICA_ID=id";

  @Test
  void aCompleteSwitchLeavesOnlyTheNewState() throws Exception {
    oldAndNew();
    DataDirs.switchTo(d, DataDirs.fullSync(d));
    assertThat(contents()).isEqualTo(NEW);
  }

  @Test
  void aSwitchCutAfterItsMarkerIsFinishedAtStartup() throws Exception {
    oldAndNew();
    write(d.resolve("SWITCH"), "1\n");
    DataDirs.recover(d);
    assertThat(contents()).isEqualTo(NEW);
  }

  @Test
  void aSwitchCutHalfWayThroughMovingTheNewFilesIsFinished() throws Exception {
    oldAndNew();
    // Phase 2: the old files are out, one new file already moved in.
    Files.createDirectories(d.resolve(".old"));
    Files.move(d.resolve("00000000000000000001.wal"), d.resolve(".old/00000000000000000001.wal"));
    Files.move(d.resolve("HISTORY"), d.resolve(".old/HISTORY"));
    Files.move(d.resolve(".fullsync/HISTORY"), d.resolve("HISTORY"));
    write(d.resolve("SWITCH"), "2\n");
    DataDirs.recover(d);
    assertThat(contents()).isEqualTo(NEW);
  }

  @Test
  void anUnfinishedSyncWithoutAMarkerIsRemovedAndTheOldStateStays() throws Exception {
    oldAndNew();
    DataDirs.recover(d);
    assertThat(contents())
        .isEqualTo("00000000000000000001.wal=old-seg,HISTORY=old-hist,LOCK=,REPLICA_ID=id");
  }
}
