package io.kvdb.server.netty;

/** A request the decoder could not parse; the reply is this error, then the connection closes. */
public record ProtocolError(String message) {}
