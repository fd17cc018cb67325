package io.kvdb.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvdb.core.KvStore;
import io.kvdb.core.spi.StoreEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A full sync's loading thread: every entry reaches the store, and a store that fails to load makes
 * the sync fail with the cause, soon, whether the reader is still handing entries over or already
 * waiting for the end (it must never wait for a loader that is gone).
 */
class EntryLoaderTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void everyEntryHandedOverIsInTheStoreAfterFinish() throws Exception {
    StoreEngine store = KvStore.builder().shards(4).buildUnopened();
    try (EntryLoader loader = new EntryLoader(store)) {
      int n = EntryLoader.BATCH * 5 + 7; // whole batches and a part of one
      for (int i = 0; i < n; i++) {
        loader.add(b("k" + i), b("v" + i), 0);
      }
      loader.finish(10_000);
      store.openLog();
      assertThat(store.size()).isEqualTo(n);
      assertThat(store.get("k" + (n - 1))).isEqualTo("v" + (n - 1));
    }
    store.close();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aStoreThatFailsToLoadFailsTheSyncInsteadOfHangingIt() throws Exception {
    StoreEngine real = KvStore.builder().shards(4).buildUnopened();
    StoreEngine failing = failingAfter(real, 3000);
    try (EntryLoader loader = new EntryLoader(failing)) {
      // Far more than the queue holds: once the loader has failed, handing over must stop with
      // the cause instead of blocking on a full queue nobody drains.
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < EntryLoader.BATCH * (EntryLoader.QUEUED + 20); i++) {
                  loader.add(b("k" + i), b("v"), 0);
                }
                loader.finish(10_000);
              })
          .satisfiesAnyOf(
              e -> assertThat(e).isInstanceOf(IllegalStateException.class),
              e -> assertThat(e).isInstanceOf(IOException.class))
          .hasMessageContaining("loading the full sync failed")
          .hasMessageContaining("disk on fire");
    }
    real.close();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aFailureAfterTheLastHandOverIsReportedByFinish() throws Exception {
    StoreEngine real = KvStore.builder().shards(4).buildUnopened();
    try (EntryLoader loader = new EntryLoader(failingAfter(real, 10))) {
      for (int i = 0; i < 20; i++) {
        loader.add(b("k" + i), b("v"), 0);
      }
      assertThatThrownBy(() -> loader.finish(10_000))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("loading the full sync failed")
          .hasMessageContaining("disk on fire");
    }
    real.close();
  }

  /** {@code real}, whose {@code load} throws once {@code limit} entries went in. */
  private static StoreEngine failingAfter(StoreEngine real, int limit) {
    int[] loaded = {0};
    return (StoreEngine)
        java.lang.reflect.Proxy.newProxyInstance(
            StoreEngine.class.getClassLoader(),
            new Class<?>[] {StoreEngine.class},
            (proxy, method, args) -> {
              if (method.getName().equals("load") && ++loaded[0] > limit) {
                throw new IllegalStateException("disk on fire");
              }
              try {
                return method.invoke(real, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
