package dev.agentloop.llm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonFragmentsTest {

  @Test
  @DisplayName("arguments are cut like a model's tokens: punctuation with its quotes, words with their space")
  void token_like_pieces() {
    assertThat(JsonFragments.split("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}", 8))
        .containsExactly("{\"", "location", "\":\"", "Paris", ",", " France", "\",\"", "unit", "\":\"", "celsius", "\"}");
    assertThat(JsonFragments.split("[1.5,true,null,{\"a\":[]}]", 8))
        .containsExactly("[", "1.5", ",", "true", ",", "null", ",{\"", "a", "\":[]}]");
  }

  @Test
  @DisplayName("no fragment is longer than the piece size, escapes stay whole, and the pieces join back to the text")
  void pieces_join_back() throws IOException {
    String text = "{\"quote\":\"say \\\"hi\\\" \\u00e9t\\u00e9 Supercalifragilistic\",\"n\":-12345678901234,"
        + "\"nested\":{\"list\":[\"a\",\"b\"]}}";
    for (int piece : new int[] {1, 2, 4, 8, 32}) {
      List<String> fragments = JsonFragments.split(text, piece);
      assertThat(String.join("", fragments)).isEqualTo(text);
      assertThat(fragments).allMatch(f -> f.length() <= Math.max(piece, 6), "at most " + piece + " characters");
      assertThat(fragments).noneMatch(String::isEmpty);
      assertThat(fragments).noneMatch(f -> f.endsWith("\\") && !f.endsWith("\\\\"));
    }
    String order = Files.readString(Path.of("src/test/resources/schemas", "05-order-defs.json")).strip();
    assertThat(String.join("", JsonFragments.split(order, 4))).isEqualTo(order);
  }

  @Test
  @DisplayName("the same text gives the same fragments; garbage text is still cut and joined back")
  void deterministic_and_total() {
    String text = "{\"a\":\"b c d\",\"e\":[1,2,3]}";
    assertThat(JsonFragments.split(text, 4)).isEqualTo(JsonFragments.split(text, 4));
    String garbage = "}}\"\"::,, \"open string without end \\";
    assertThat(String.join("", JsonFragments.split(garbage, 3))).isEqualTo(garbage);
  }

  @Test
  @DisplayName("max_tokens keeps the first N fragments: a prefix that is no longer valid JSON")
  void truncation() {
    String text = "{\"steps\":[\"one\",\"two\"],\"final_answer\":\"forty two\"}";
    List<String> fragments = JsonFragments.split(text, 8);
    String cut = JsonFragments.prefix(fragments, 5);
    assertThat(text).startsWith(cut);
    assertThat(cut).isEqualTo(String.join("", fragments.subList(0, 5)));
    assertThatThrownBy(() -> Json.decodeValue(cut)).isInstanceOf(DecodeException.class);
    assertThat(JsonFragments.prefix(fragments, fragments.size() + 10)).isEqualTo(text);
    assertThat(JsonFragments.prefix(fragments, 0)).isEmpty();
  }
}
