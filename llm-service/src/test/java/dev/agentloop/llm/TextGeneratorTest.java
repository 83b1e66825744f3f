package dev.agentloop.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {

  private static final ModelSpec FAST = new ModelSpec("fast", 0, 0, 16, 0, false);
  private static final ModelSpec ECHO = new ModelSpec("echo", 0, 0, 0, 0, true);

  private static ChatRequest request(String content, Integer maxTokens) {
    return new ChatRequest("id", "m", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)),
        maxTokens, false, false);
  }

  private static List<String> all(TextGenerator generator) {
    List<String> tokens = new ArrayList<>();
    while (generator.hasNext()) {
      tokens.add(generator.next());
    }
    return tokens;
  }

  @Test
  @DisplayName("the same model, messages and max_tokens give the same tokens; a change in any gives others")
  void deterministic() {
    assertThat(all(TextGenerator.of(FAST, request("a", null)))).isEqualTo(all(TextGenerator.of(FAST, request("a", null))));
    assertThat(all(TextGenerator.of(FAST, request("a", null)))).isNotEqualTo(all(TextGenerator.of(FAST, request("b", null))));
    assertThat(String.join("", all(TextGenerator.of(FAST, request("a", 16)))))
        .isNotEqualTo(String.join("", all(TextGenerator.of(FAST, request("a", null)))));
    assertThat(all(TextGenerator.of(new ModelSpec("other", 0, 0, 16, 0, false), request("a", null))))
        .isNotEqualTo(all(TextGenerator.of(FAST, request("a", null))));
  }

  @Test
  @DisplayName("tokens are words with their leading space, and the text is readable sentences")
  void token_shape() {
    List<String> tokens = all(TextGenerator.of(FAST, request("a", 40)));
    assertThat(tokens).hasSize(40);
    assertThat(tokens.get(0)).doesNotStartWith(" ").matches("[A-Z][a-z]+\\.?");
    assertThat(tokens.subList(1, 40)).allSatisfy(t -> assertThat(t).matches(" [A-Za-z]+\\.?"));
    assertThat(tokens.get(39)).endsWith(".");
  }

  @Test
  @DisplayName("echo returns the words of the last user message, cycled to reach max_tokens")
  void echo() {
    ChatRequest history = new ChatRequest("id", "echo", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "old words"))
        .add(new JsonObject().put("role", "assistant").put("content", "reply"))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "new words here")))), null, false, false);
    assertThat(String.join("", all(TextGenerator.of(ECHO, history)))).isEqualTo("new words here");
    assertThat(String.join("", all(TextGenerator.of(ECHO, request("one two", 5))))).isEqualTo("one two one two one");
    assertThat(all(TextGenerator.of(ECHO, request("   ", null)))).isEmpty();
  }

  @Test
  @DisplayName("prompt tokens count every message's words plus a fixed overhead per message")
  void prompt_tokens() {
    JsonArray messages = new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "be kind"))
        .add(new JsonObject().put("role", "user").put("content", "hello there world"));
    assertThat(TextGenerator.promptTokens(messages)).isEqualTo(3 + (3 + 2) + (3 + 3));
  }

  @Test
  @DisplayName("words are counted and echoed exactly as trim() and split on whitespace would, on random texts")
  void words_match_trim_and_split() {
    String alphabet = "ab c\t\n\u000b\f\r\u0000\u0001\u00a0\u2028x.";
    SplittableRandom random = new SplittableRandom(3);
    for (int t = 0; t < 20_000; t++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(24);
      for (int i = 0; i < length; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = text.toString();
      String trimmed = s.trim();
      List<String> expected = trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
      TextGenerator.Words words = new TextGenerator.Words(s);
      assertThat(words.count()).as("'%s'", s).isEqualTo(expected.size());
      List<String> cut = new ArrayList<>();
      for (int i = 0; i < 2 * expected.size(); i++) {
        cut.add(words.next());
      }
      List<String> twice = new ArrayList<>(expected);
      twice.addAll(expected);
      assertThat(cut).as("'%s'", s).isEqualTo(twice);
    }
  }

  @Test
  @DisplayName("the seed reads every part of the messages, not only their text")
  void seed_covers_every_field() {
    JsonArray plain = new JsonArray().add(new JsonObject().put("role", "user").put("content", "same"));
    JsonArray named = new JsonArray().add(new JsonObject().put("role", "user").put("content", "same").put("name", "ada"));
    JsonArray system = new JsonArray().add(new JsonObject().put("role", "system").put("content", "same"));
    List<String> base = all(TextGenerator.of(FAST, new ChatRequest("id", "m", plain, null, false, false)));
    assertThat(all(TextGenerator.of(FAST, new ChatRequest("id", "m", named, null, false, false)))).isNotEqualTo(base);
    assertThat(all(TextGenerator.of(FAST, new ChatRequest("id", "m", system, null, false, false)))).isNotEqualTo(base);
    assertThat(all(TextGenerator.of(FAST, new ChatRequest("other-id", "m", plain.copy(), null, false, false))))
        .as("the request id is not part of it").isEqualTo(base);
  }
}
