package io.kvdb.replication;

/** The replica is switching to a dataset a full sync built; retry in a moment. */
public final class DatasetLoadingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public DatasetLoadingException() {
    super("LOADING kvdb is loading the dataset in memory");
  }
}
