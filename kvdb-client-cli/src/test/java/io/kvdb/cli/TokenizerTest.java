package io.kvdb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI splits lines exactly as the server splits inline commands. */
class TokenizerTest {
  private static List<String> split(String line) throws Exception {
    return Tokenizer.split(line).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void splitsOnSpacesAndKeepsQuotedSpaces() throws Exception {
    assertThat(split("SET user:1 \"John Doe\"")).containsExactly("SET", "user:1", "John Doe");
    assertThat(split("  GET   k  ")).containsExactly("GET", "k");
    assertThat(split("")).isEmpty();
    assertThat(split("SET k ''")).containsExactly("SET", "k", "");
  }

  @Test
  void doubleQuotesTakeEscapes() throws Exception {
    assertThat(split("SET k \"a\\tb\\n\\x41\\\"\\\\\"")).containsExactly("SET", "k", "a\tb\nA\"\\");
    assertThat(Tokenizer.split("SET k \"\\xff\"").get(2)).containsExactly((byte) 0xff);
  }

  @Test
  void singleQuotesTakeOnlyEscapedQuotes() throws Exception {
    assertThat(split("SET k 'it\\'s \\n raw'")).containsExactly("SET", "k", "it's \\n raw");
  }

  @Test
  void unbalancedOrGluedQuotesAreErrors() {
    assertThatThrownBy(() -> Tokenizer.split("SET k \"open"))
        .hasMessageContaining("unbalanced quotes");
    assertThatThrownBy(() -> Tokenizer.split("SET k 'open"))
        .isInstanceOf(Tokenizer.UnbalancedQuotesException.class);
    assertThatThrownBy(() -> Tokenizer.split("SET k \"a\"b"))
        .isInstanceOf(Tokenizer.UnbalancedQuotesException.class);
  }
}
