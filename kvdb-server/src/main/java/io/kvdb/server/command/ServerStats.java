package io.kvdb.server.command;

import java.util.concurrent.atomic.LongAdder;

/** Counters INFO stats reports. Thread-safe. */
public final class ServerStats {
  public final LongAdder connectionsReceived = new LongAdder();
  public final LongAdder connectionsRejected = new LongAdder();
  public final LongAdder commandsProcessed = new LongAdder();
  public final LongAdder keyspaceHits = new LongAdder();
  public final LongAdder keyspaceMisses = new LongAdder();
  public final LongAdder protocolErrors = new LongAdder();
  public final LongAdder outputBufferDisconnects = new LongAdder();

  /** Times a connection stopped reading: the log or its own pending replies were over the limit. */
  public final LongAdder readPauses = new LongAdder();
}
