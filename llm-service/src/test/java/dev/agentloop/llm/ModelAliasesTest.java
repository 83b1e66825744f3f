package dev.agentloop.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.Settings;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ModelAliasesTest {

  private static final Map<String, ModelSpec> MODELS = Map.of(
      "mock-fast", new ModelSpec("mock-fast", 0, 0, 16, 0, false),
      "mock-echo", new ModelSpec("mock-echo", 0, 0, 0, 0, true));

  private static ModelAliases aliases(JsonObject aliases) {
    return ModelAliases.from(Settings.root(new JsonObject().put("llm", new JsonObject().put("aliases", aliases)))
        .section("llm"), MODELS);
  }

  @Test
  @DisplayName("globs: * any characters, ? one, the rest literal (dots included); the first match in order wins")
  void globs_resolve_in_order() {
    ModelAliases aliases = aliases(new JsonObject().put("gpt-4o-mini", "mock-echo").put("gpt-*", "mock-fast")
        .put("o?.mini", "mock-echo"));
    assertThat(aliases.resolve("gpt-4o-mini")).isEqualTo("mock-echo");
    assertThat(aliases.resolve("gpt-4.1")).isEqualTo("mock-fast");
    assertThat(aliases.resolve("o3.mini")).isEqualTo("mock-echo");
    assertThat(aliases.resolve("o3-mini")).isNull();
    assertThat(aliases.resolve("claude")).isNull();
    assertThat(aliases(new JsonObject()).resolve("gpt-4o")).isNull();
    assertThat(ModelAliases.from(Settings.root(new JsonObject().put("llm", new JsonObject())).section("llm"), MODELS))
        .isEqualTo(ModelAliases.NONE);
  }

  @Test
  @DisplayName("an alias must name a configured model")
  void alias_must_name_a_model() {
    assertThatThrownBy(() -> aliases(new JsonObject().put("gpt-*", "mock-nope"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("gpt-*").hasMessageContaining("mock-nope");
    assertThatThrownBy(() -> aliases(new JsonObject().put("gpt-*", 3))).isInstanceOf(ConfigException.class);
  }
}
