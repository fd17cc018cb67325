package io.kvdb.core.internal;

import io.kvdb.core.KvStoreBuilder;
import io.kvdb.core.spi.StoreEngine;

/** kvdb-core's engine, found by {@link KvStoreBuilder} through {@link java.util.ServiceLoader}. */
public final class ShardedEngineFactory implements StoreEngine.Factory {
  @Override
  public StoreEngine open(KvStoreBuilder builder) {
    return ShardedKvStore.open(builder);
  }

  @Override
  public StoreEngine unopened(KvStoreBuilder builder) {
    return ShardedKvStore.unopened(builder);
  }
}
