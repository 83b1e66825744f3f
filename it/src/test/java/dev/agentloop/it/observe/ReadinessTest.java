package dev.agentloop.it.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("/health/live and /health/ready")
class ReadinessTest {

  private static JsonObject check(JsonObject body, String id) {
    return body.getJsonArray("checks").stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError("no check " + id + " in " + body));
  }

  @Test
  @DisplayName("readiness names each check, and turns 503 naming llm when the llm-service is undeployed")
  void readiness_turns_503_when_llm_is_undeployed() throws Exception {
    try (TestApp app = TestApp.start()) {
      HttpResponse<String> ready = Http.get(app.gatewayUrl() + "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonObject body = Http.json(ready);
      assertThat(body.getString("status")).isEqualTo("UP");
      for (String id : new String[] {"llm", "storage", "accepting"}) {
        assertThat(check(body, id).getString("status")).as(id).isEqualTo("UP");
      }
      assertThat(check(body, "storage").getJsonObject("data").getString("backend")).isEqualTo("local");
      assertThat(body.getJsonArray("checks").stream().map(JsonObject.class::cast)
          .noneMatch(c -> "cluster".equals(c.getString("id")))).as("no cluster check when not clustered").isTrue();

      String llm = app.app().deployments().get("llm-service");
      app.vertx().undeploy(llm).await(10, TimeUnit.SECONDS);

      HttpResponse<String> notReady = Http.get(app.gatewayUrl() + "/health/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      JsonObject down = Http.json(notReady);
      assertThat(down.getString("status")).isEqualTo("DOWN");
      assertThat(check(down, "llm").getString("status")).isEqualTo("DOWN");
      assertThat(check(down, "llm").getString("error")).contains("agentloop.llm.ping");
      assertThat(check(down, "storage").getString("status")).isEqualTo("UP");
      assertThat(Http.get(app.gatewayUrl() + "/health/live").statusCode()).as("still alive").isEqualTo(200);
      assertThat(Http.post(app.gatewayUrl() + "/v1/chat/completions", Http.chat("mock-fast", "hi")).statusCode())
          .isEqualTo(503);
    }
  }

  @Test
  @DisplayName("readiness turns 503 naming storage when the storage-service is undeployed")
  void readiness_turns_503_when_storage_is_undeployed() throws Exception {
    try (TestApp app = TestApp.start()) {
      app.vertx().undeploy(app.app().deployments().get("storage-service")).await(10, TimeUnit.SECONDS);
      HttpResponse<String> notReady = Http.get(app.gatewayUrl() + "/health/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(check(Http.json(notReady), "storage").getString("status")).isEqualTo("DOWN");
      assertThat(check(Http.json(notReady), "llm").getString("status")).isEqualTo("UP");
    }
  }

  @Test
  @DisplayName("liveness answers 200 from an event loop")
  void liveness_answers() {
    try (TestApp app = TestApp.start()) {
      HttpResponse<String> live = Http.get(app.gatewayUrl() + "/health/live");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(check(Http.json(live), "event_loop").getJsonObject("data").getString("thread"))
          .startsWith("vert.x-eventloop-thread-");
    }
  }
}
