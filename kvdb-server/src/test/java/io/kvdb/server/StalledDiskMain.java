package io.kvdb.server;

import io.kvdb.server.config.ConfigLoader;
import io.kvdb.wal.WalFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The real server process (signals, watchdog) on a disk whose fsync hangs once a trigger file
 * exists: {@code StalledDiskMain <config> <trigger>}. For tests that need a server stuck on its
 * disk; the hang is bounded (120 s) so a child is never left for good.
 */
public final class StalledDiskMain {
  private StalledDiskMain() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    Path trigger = Path.of(args[1]);
    WalFaults stall =
        new WalFaults() {
          @Override
          public void beforeSync(Path segment) {
            if (Files.exists(trigger)) {
              LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(120));
            }
          }
        };
    System.exit(Main.serve(ConfigLoader.load(config), config.toString(), w -> w.faults(stall)));
  }
}
