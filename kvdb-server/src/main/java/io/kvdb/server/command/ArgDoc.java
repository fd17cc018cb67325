package io.kvdb.server.command;

import java.util.List;

/**
 * One argument of a command, as COMMAND DOCS describes it (and redis-cli turns into hints).
 *
 * @param name the argument's name
 * @param type key, string, integer, pure-token, oneof or block
 * @param token the literal keyword that introduces it, or null
 * @param optional whether it may be left out
 * @param multiple whether it may repeat
 * @param children the alternatives (oneof) or parts (block)
 */
public record ArgDoc(
    String name,
    String type,
    String token,
    boolean optional,
    boolean multiple,
    List<ArgDoc> children) {

  public static ArgDoc key(String name) {
    return new ArgDoc(name, "key", null, false, false, List.of());
  }

  public static ArgDoc string(String name) {
    return new ArgDoc(name, "string", null, false, false, List.of());
  }

  public static ArgDoc integer(String name) {
    return new ArgDoc(name, "integer", null, false, false, List.of());
  }

  public static ArgDoc token(String token) {
    return new ArgDoc(token.toLowerCase(), "pure-token", token, false, false, List.of());
  }

  public static ArgDoc tokenWith(String token, ArgDoc value) {
    return new ArgDoc(value.name(), value.type(), token, false, false, List.of());
  }

  public static ArgDoc oneOf(String name, ArgDoc... choices) {
    return new ArgDoc(name, "oneof", null, false, false, List.of(choices));
  }

  public static ArgDoc block(String name, ArgDoc... parts) {
    return new ArgDoc(name, "block", null, false, false, List.of(parts));
  }

  public ArgDoc asOptional() {
    return new ArgDoc(name, type, token, true, multiple, children);
  }

  public ArgDoc asMultiple() {
    return new ArgDoc(name, type, token, optional, true, children);
  }

  /** The argument in a usage line, such as {@code [NX | XX]} or {@code key [key ...]}. */
  public String usage() {
    String core =
        switch (type) {
          case "oneof" -> String.join(" | ", children.stream().map(ArgDoc::usage).toList());
          case "block" -> String.join(" ", children.stream().map(ArgDoc::usage).toList());
          case "pure-token" -> token;
          default -> token == null ? name : token + " " + name;
        };
    if (multiple) {
      core = core + " [" + core + " ...]";
    }
    return optional ? "[" + core + "]" : core;
  }
}
