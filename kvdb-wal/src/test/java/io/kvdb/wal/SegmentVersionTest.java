package io.kvdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.KvStore;
import io.kvdb.wal.internal.SegmentHeader;
import io.kvdb.wal.testing.WalDirs;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment of a format this build does not know is refused by name, before any of its records is
 * read (a promise of the segment header: a newer build's records are never misread as older ones).
 */
class SegmentVersionTest {
  @TempDir Path dir;

  @Test
  void aSegmentOfAnUnknownVersionIsRefusedNamingTheVersionAndTheFile() throws Exception {
    try (KvStore store = WalDirs.open(dir)) {
      store.put("k", "v");
    }
    List<Path> segments = WalDirs.files(dir, ".wal");
    Path segment = segments.get(0);
    long firstLsn = Long.parseLong(segment.getFileName().toString().substring(0, 20));
    ByteBuffer future = SegmentHeader.encode(firstLsn, SegmentHeader.VERSION + 1);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(future, 0); // a valid header (magic, CRC) of a version from the future
    }
    assertThatThrownBy(() -> WalDirs.open(dir))
        .hasMessageContaining("unsupported segment format version " + (SegmentHeader.VERSION + 1))
        .hasMessageContaining(segment.getFileName().toString());
    assertThat(segments).hasSize(1);
  }
}
