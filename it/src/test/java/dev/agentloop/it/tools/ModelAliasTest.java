package dev.agentloop.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code llm.aliases}: a client's own model id answered by a mock model on both fronts; off by default. */
class ModelAliasTest {

  @Test
  @DisplayName("with gpt-* aliased to mock-echo, gpt-4o answers on both fronts; without aliases it is a 404")
  void aliases_route_foreign_model_ids() {
    try (TestApp app = TestApp.start(new JsonObject().put("llm", new JsonObject()
        .put("aliases", new JsonObject().put("gpt-*", "mock-echo"))))) {
      for (String base : new String[] {app.gatewayUrl(), app.llmUrl()}) {
        HttpResponse<String> response = Http.post(base + "/v1/chat/completions", Http.chat("gpt-4o", "aliased words"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(Http.json(response).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
            .getString("content")).isEqualTo("aliased words");
      }
    }
    try (TestApp plain = TestApp.start()) {
      assertThat(Http.post(plain.llmUrl() + "/v1/chat/completions", Http.chat("gpt-4o", "x")).statusCode())
          .isEqualTo(404);
    }
  }
}
