package io.kvdb.server;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.RecoveryReport;
import io.kvdb.core.spi.StoreEngine;
import io.kvdb.wal.SegmentedWal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar kvdb-server.jar repair --data-dir D}: the operator's remedy for corruption in
 * the middle of the log, which the server refuses to open (naming the file and offset). It opens
 * the log with truncation allowed: the log is cut at the first damaged record, and what was cut —
 * the rest of that segment and every later segment — is kept in {@code D/cut-<millis>/}, never
 * deleted. The log then starts a new history (replicas of the old one within it continue; others
 * take a full sync). Run it with the server stopped: the directory's lock refuses it otherwise.
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description =
        "Cuts the write-ahead log in DIR at its first damaged record, keeping what it cuts in"
            + " DIR/cut-<millis>/. Run it with the server stopped.")
final class Repair implements Callable<Integer> {
  @Option(
      names = {"-d", "--data-dir"},
      paramLabel = "DIR",
      required = true,
      description = "the data directory (wal.data_directory)")
  Path dataDir;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dataDir)) {
      System.err.println("kvdb-server repair: " + dataDir + " is not a directory");
      return 2;
    }
    RecoveryReport r;
    long lastLsn;
    try (KvStore store =
        KvStore.builder()
            .wal(SegmentedWal.builder().directory(dataDir).truncateCorruption(true).build())
            .build()) {
      r = ((StoreEngine) store).recoveryReport();
      lastLsn = store.lastLsn();
    } catch (RuntimeException e) {
      System.err.println("kvdb-server repair: cannot open " + dataDir + ": " + e.getMessage());
      return 1;
    }
    System.out.printf(
        "repaired %s: the log ends at LSN %d; %d bytes and %d records cut%n",
        dataDir, lastLsn, r.bytesTruncated(), r.recordsDropped());
    try (Stream<Path> cuts = Files.list(dataDir)) {
      cuts.filter(p -> p.getFileName().toString().startsWith("cut-"))
          .sorted()
          .forEach(p -> System.out.println("kept what was cut in " + p));
    } catch (IOException e) {
      System.err.println("kvdb-server repair: cannot list " + dataDir + ": " + e.getMessage());
    }
    return 0;
  }
}
