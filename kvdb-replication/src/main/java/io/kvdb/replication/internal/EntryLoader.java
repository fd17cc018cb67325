package io.kvdb.replication.internal;

import io.kvdb.core.spi.StoreEngine;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Loads a full sync's entries into the store that will serve them on a thread of its own, so that
 * the link's thread only reads frames and writes the snapshot file. Loading (hashing, probing,
 * copying into the shard maps) was most of the receiving thread's time, and while it loaded it did
 * not read: TCP held the master's walk back.
 *
 * <p>Entries go over in batches through a bounded queue (at most {@value #QUEUED} batches of
 * {@value #BATCH}: memory follows what arrived, and a slow loader slows the reader). One thread
 * loads, as {@link StoreEngine#load} requires. {@link #finish} waits for the last entry; {@link
 * #close} without it (a failed full sync) stops the loader and drops what is queued.
 */
final class EntryLoader implements AutoCloseable {
  static final int BATCH = 1024;
  static final int QUEUED = 64;
  private static final Object[] END = new Object[0];

  private final StoreEngine store;
  private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(QUEUED);
  private final Thread thread;
  private volatile Throwable failure;
  private volatile boolean stopped;
  private Object[] batch = new Object[BATCH * 3];
  private int n;

  EntryLoader(StoreEngine store) {
    this.store = store;
    this.thread = new Thread(this::run, "kvdb-fullsync-loader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Hands one entry over (the arrays are the caller's no more). */
  void add(byte[] key, byte[] value, long expireAtMillis) {
    Object[] b = batch;
    b[n * 3] = key;
    b[n * 3 + 1] = value;
    b[n * 3 + 2] = expireAtMillis;
    if (++n == BATCH) {
      hand(b);
      batch = new Object[BATCH * 3];
      n = 0;
    }
  }

  /** Waits until every entry handed over is in the store. */
  void finish(long timeoutMillis) throws IOException {
    if (n > 0) {
      Object[] last = new Object[n * 3];
      System.arraycopy(batch, 0, last, 0, n * 3);
      hand(last);
      n = 0;
    }
    hand(END);
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while loading the full sync", e);
    }
    if (thread.isAlive()) {
      throw new IOException("loading the full sync did not finish within " + timeoutMillis + " ms");
    }
    rethrow();
  }

  private void hand(Object[] b) {
    try {
      while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
        rethrow(); // the loader failed: it takes nothing more
        if (stopped) {
          throw new IllegalStateException("the full sync's loader was stopped");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading the full sync", e);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private void rethrow() throws IOException {
    Throwable f = failure;
    if (f != null) {
      throw new IOException("loading the full sync failed: " + f, f);
    }
  }

  private void run() {
    try {
      while (!stopped) {
        Object[] b = queue.poll(100, TimeUnit.MILLISECONDS);
        if (b == null) {
          continue;
        }
        if (b == END) {
          return;
        }
        for (int i = 0; i < b.length; i += 3) {
          store.load((byte[]) b[i], (byte[]) b[i + 1], (Long) b[i + 2]);
        }
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** Stops the loader (after {@link #finish}: it has stopped already) and drops what is queued. */
  @Override
  public void close() {
    stopped = true;
    queue.clear();
  }
}
