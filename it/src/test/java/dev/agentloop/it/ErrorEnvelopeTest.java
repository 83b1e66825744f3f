package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every route of both fronts answers a bad request through the one failure handler, in OpenAI's envelope. */
@DisplayName("the error envelope on every route")
class ErrorEnvelopeTest {

  private static final String ADMIN = "envelope-admin-key";

  /** A request and the status its error must have. */
  record Case(String method, String path, String body, String bearer, int status) {
    HttpRequest request(String base) {
      HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        builder.header("content-type", "application/json");
      }
      if (bearer != null) {
        builder.header("authorization", "Bearer " + bearer);
      }
      return builder.build();
    }
  }

  private static Case bad(String method, String path, String body, int status) {
    return new Case(method, path, body, null, status);
  }

  /** The routes both fronts serve (ChatRoutes, the guards, the catch-alls). */
  private static List<Case> shared() {
    return List.of(
        bad("POST", "/v1/chat/completions", "{not json", 400),
        bad("POST", "/v1/chat/completions", "{\"model\":\"mock-fast\",\"messages\":[]}", 400),
        bad("POST", "/v1/chat/completions", "{\"model\":\"mock-fast\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + "x".repeat(3 * 1024 * 1024) + "\"}]}", 413),
        bad("GET", "/v1/models/no-such-model", null, 404),
        bad("POST", "/v1/models", "{}", 404), // OpenAI too: a path not served with that method is an invalid URL
        bad("BREW", "/v1/models", null, 405),
        bad("GET", "/v1/no-such-route", null, 404),
        bad("GET", "/no-such-page", null, 404),
        bad("GET", "/metrics", null, 401));
  }

  /** The gateway's own routes. */
  private static List<Case> gatewayOnly() {
    return List.of(
        bad("POST", "/v1/chat/fanout", "{}", 400),
        bad("POST", "/v1/conversations", "[1]", 400),
        bad("GET", "/v1/conversations?limit=many", null, 400),
        bad("GET", "/v1/conversations/not-an-id", null, 400),
        bad("GET", "/v1/conversations/conv_unknown1", null, 404),
        bad("DELETE", "/v1/conversations/conv_unknown1", null, 404),
        bad("GET", "/v1/conversations/conv_unknown1/export?format=pdf", null, 400),
        bad("GET", "/v1/conversations/conv_unknown1/export", null, 404),
        bad("POST", "/v1/jobs", "{}", 400),
        bad("GET", "/v1/jobs/job_unknown", null, 404),
        bad("GET", "/v1/jobs/job_unknown/results?limit=0", null, 400),
        bad("DELETE", "/v1/jobs/job_unknown", null, 404),
        bad("GET", "/v1/jobs/job_unknown/events", null, 404),
        bad("POST", "/v1/agent/runs", "{\"input\":\"hi\",\"stream\":\"yes\"}", 400),
        bad("GET", "/admin/blocked-threads", null, 401),
        bad("GET", "/dashboard", null, 401),
        new Case("POST", "/admin/demo/offload?ms=soon", null, ADMIN, 400),
        bad("GET", "/health/nowhere", null, 404));
  }

  private static void assertEnvelope(String front, Case c, HttpResponse<String> response) {
    String what = front + " " + c.method() + " " + c.path().substring(0, Math.min(c.path().length(), 60));
    assertThat(response.statusCode()).as(what).isEqualTo(c.status());
    assertThat(response.headers().firstValue("content-type")).as(what).hasValue("application/json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.fieldNames()).as(what).containsExactly("error");
    JsonObject error = body.getJsonObject("error");
    assertThat(error.fieldNames()).as(what).containsExactlyInAnyOrder("message", "type", "param", "code");
    assertThat(error.getString("message")).as(what).isNotBlank();
    assertThat(error.getString("type")).as(what).isNotBlank();
    assertThat(error.getString("message")).as(what + ": no internal detail").doesNotContain("Exception", "at dev.");
  }

  @Test
  @DisplayName("a bad request to any route of either front is an OpenAI error envelope with its status")
  void every_route_answers_in_the_envelope() {
    try (TestApp app = TestApp.start(new JsonObject()
        .put("gateway", new JsonObject().put("admin_key", ADMIN).put("body_limit_bytes", 1024 * 1024))
        .put("observability", new JsonObject().put("demo_enabled", true)))) {
      List<String> walked = new ArrayList<>();
      for (String front : new String[] {"gateway", "llm"}) {
        String base = front.equals("gateway") ? app.gatewayUrl() : app.llmUrl();
        List<Case> cases = new ArrayList<>(shared());
        if (front.equals("gateway")) {
          cases.addAll(gatewayOnly());
        }
        for (Case c : cases) {
          assertEnvelope(front, c, Http.send(c.request(base)));
          walked.add(front + " " + c.method() + " " + c.path());
        }
      }
      assertThat(walked).hasSize(2 * shared().size() + gatewayOnly().size());
    }
  }

  @Test
  @DisplayName("the OpenAI SDK reads those errors as its typed exceptions, on a guard and on a route")
  void the_sdk_parses_the_envelope() {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("api_keys", new JsonArray().add("sk-envelope-key"))))) {
      for (String base : new String[] {app.gatewayUrl(), app.llmUrl()}) {
        OpenAIClient keyless = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey("sk-wrong").maxRetries(0)
            .timeout(Duration.ofSeconds(20)).build();
        assertThatThrownBy(() -> keyless.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("mock-fast").addUserMessage("hi").build()))
            .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(401);
              assertThat(e.code()).hasValue("invalid_api_key");
              assertThat(e.headers().values("www-authenticate")).containsExactly("Bearer");
            });
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey("sk-envelope-key")
            .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
        assertThatThrownBy(() -> client.models().retrieve("no-such-model"))
            .isInstanceOfSatisfying(NotFoundException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.code()).hasValue("model_not_found");
              assertThat(e.param()).hasValue("model");
            });
      }
    }
  }
}
