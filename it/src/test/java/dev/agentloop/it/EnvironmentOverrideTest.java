package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The generic environment rule reaches a running process, and a variable naming no key stops the start. */
class EnvironmentOverrideTest {

  /** A chat body whose messages' content is nested {@code depth} levels deep in all. */
  private static JsonObject nested(int depth) {
    Object value = "x";
    for (int i = 0; i < depth - 3; i++) {
      value = new JsonObject().put("k", value);
    }
    return Http.chat("mock-fast", "hi").put("metadata", value);
  }

  @Test
  @DisplayName("AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPTH sets the limit the gateway enforces")
  void a_nested_key_set_from_the_environment_is_enforced() {
    try (TestApp app = TestApp.start(new JsonObject(), Map.of("AGENTLOOP_GATEWAY__LIMITS__MAX_JSON_DEPTH", "5"))) {
      assertThat(app.app().settings().front().limits().maxJsonDepth()).isEqualTo(5);
      HttpResponse<String> deep = Http.post(app.gatewayUrl() + "/v1/chat/completions", nested(8));
      assertThat(deep.statusCode()).isEqualTo(400);
      assertThat(deep.body()).contains("nested more than 5 levels");
      assertThat(Http.post(app.gatewayUrl() + "/v1/chat/completions", Http.chat("mock-fast", "hi")).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a generic variable that names no setting fails the start, naming it")
  void an_unknown_key_fails_the_start() {
    assertThatThrownBy(() -> TestApp.start(new JsonObject(), Map.of("AGENTLOOP_GATEWAY__LIMITS__MAX_DEPTH", "5")))
        .hasMessageContaining("AGENTLOOP_GATEWAY__LIMITS__MAX_DEPTH").hasMessageContaining("gateway.limits.max_depth");
  }

  @Test
  @DisplayName("a key the defaults do not have, in the tree a process starts from, fails the start naming it")
  void an_unknown_key_in_the_tree_fails_the_start() {
    assertThatThrownBy(() -> TestApp.start(new JsonObject().put("gateway", new JsonObject().put("limitz",
        new JsonObject().put("max_json_depth", 5))))).hasMessageContaining("gateway.limitz");
  }
}
