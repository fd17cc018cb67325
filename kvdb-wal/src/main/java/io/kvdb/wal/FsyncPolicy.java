package io.kvdb.wal;

/**
 * When the log forces written records to stable storage, and so what a crash can lose.
 *
 * <ul>
 *   <li>{@link #ALWAYS}: a write is acknowledged only after the fsync that covers it returned. A
 *       crash or power loss loses no acknowledged write. Concurrent writers share one fsync (group
 *       commit).
 *   <li>{@link #EVERYSEC}: acknowledged once written to the OS; the log fsyncs at least once a
 *       second. A process crash ({@code kill -9}) loses nothing acknowledged; power loss or a
 *       kernel crash can lose about the last second of acknowledged writes.
 *   <li>{@link #NEVER}: acknowledged once written to the OS, which flushes when it chooses (Linux:
 *       about every 30 s). A process crash loses nothing acknowledged; power loss can lose what the
 *       OS had not flushed. Segments are still fsynced when they are rotated and on close.
 * </ul>
 */
public enum FsyncPolicy {
  ALWAYS,
  EVERYSEC,
  NEVER
}
