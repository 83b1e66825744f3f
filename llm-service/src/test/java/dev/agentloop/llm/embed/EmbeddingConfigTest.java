package dev.agentloop.llm.embed;

import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.llm.LlmConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EmbeddingConfigTest {

  private static LlmConfig llm(JsonObject embeddings) {
    JsonObject config = ConfigLoader.merge(ConfigLoader.defaults(),
        new JsonObject().put("llm", new JsonObject().put("embeddings", embeddings)));
    return LlmConfig.from(Settings.root(config).section("llm"));
  }

  @Test
  @DisplayName("the defaults: mock-embed of 1536 dimensions, OpenAI's 2048 inputs, listed with the chat models")
  void defaults() {
    LlmConfig llm = llm(new JsonObject());
    assertThat(llm.embeddings().models()).containsExactly(Map.entry("mock-embed", 1536));
    assertThat(llm.embeddings().maxInputs()).isEqualTo(2048);
    assertThat(llm.allModelIds()).containsExactly("mock-echo", "mock-embed", "mock-fast", "mock-flaky",
        "mock-realistic", "mock-slow");
    assertThat(llm.modelIds()).doesNotContain("mock-embed");
  }

  @Test
  @DisplayName("dimensions are configurable; out of range, a model named twice or also a chat model is a start-up error")
  void checked() {
    assertThat(llm(new JsonObject().put("models", new JsonArray()
        .add(new JsonObject().put("id", "mock-embed").put("dimensions", 256)))).embeddings().models())
        .containsEntry("mock-embed", 256);
    for (JsonArray models : new JsonArray[] {
        new JsonArray().add(new JsonObject().put("id", "e").put("dimensions", 0)),
        new JsonArray().add(new JsonObject().put("id", "e").put("dimensions", 16_385)),
        new JsonArray().add(new JsonObject().put("id", "e")).add(new JsonObject().put("id", "e")),
        new JsonArray().add(new JsonObject().put("id", "mock-fast")),
        new JsonArray().add(new JsonObject().put("dimensions", 8))}) {
      assertThatThrownBy(() -> llm(new JsonObject().put("models", models))).as(models.encode())
          .isInstanceOf(ConfigException.class);
    }
  }
}
