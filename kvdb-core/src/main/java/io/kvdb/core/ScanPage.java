package io.kvdb.core;

import java.util.List;

/**
 * One page of a {@link KvStore#scan} iteration.
 *
 * @param cursor the cursor to pass to the next call; 0 when the iteration is complete
 * @param keys copies of the keys in this page
 */
public record ScanPage(long cursor, List<byte[]> keys) {
  public ScanPage {
    keys = List.copyOf(keys);
  }
}
