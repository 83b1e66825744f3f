package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Prometheus;
import dev.agentloop.testkit.RawHttp;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One admission mechanism for concurrent work, per client and in all: chat streams on both fronts,
 * fan-outs, agent runs and jobs answer 429 with Retry-After past their caps, and give their slot back
 * when the work ends, the client goes away, or the work fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyCapsTest {

  private static final String KEY_1 = "sk-caps-one";
  private static final String KEY_2 = "sk-caps-two";
  private static final String KEY_3 = "sk-caps-three";

  private TestApp app;
  private String base;

  @BeforeAll
  void start() {
    JsonObject caps = new JsonObject()
        .put("stream", new JsonObject().put("per_client", 1).put("global", 2))
        .put("fanout", new JsonObject().put("per_client", 1))
        .put("agent_run", new JsonObject().put("per_client", 1))
        .put("job", new JsonObject().put("per_client", 1).put("global", 2))
        .put("retry_after_s", 3);
    app = TestApp.start(new JsonObject()
        .put("llm", new JsonObject().put("models", new JsonArray()
            .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
            .add(new JsonObject().put("id", "held").put("first_token_ms", 0).put("per_token_ms", 100).put("tokens", 20))
            .add(new JsonObject().put("id", "endless").put("first_token_ms", 0).put("per_token_ms", 10)
                .put("tokens", 100_000))))
        .put("gateway", new JsonObject().put("api_keys", new JsonArray().add(KEY_1).add(KEY_2).add(KEY_3))
            .put("admission", caps)));
    base = app.gatewayUrl();
  }

  @AfterAll
  void stop() {
    app.close();
  }

  private double inUse(String kind) {
    return metrics().sum("agentloop_admission_in_use", Map.of("kind", kind));
  }

  private double rejected(String kind, String scope) {
    return metrics().sum("agentloop_admission_rejected_total", Map.of("kind", kind, "scope", scope));
  }

  private Prometheus metrics() {
    return Prometheus.parse(Http.get(base + "/metrics").body());
  }

  private static void assertCapped(HttpResponse<String> response, String words) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("3");
    JsonObject error = ChatCompletionsTest.errorOf(response);
    assertThat(error.getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("message")).contains(words);
  }

  private void awaitInUse(String kind, double value) {
    Await.until(kind + " slots in use: " + value, Duration.ofSeconds(15), () -> inUse(kind) == value);
  }

  @Test
  @DisplayName("chat streams: per client and in all, released on disconnect and on failure")
  void streams() {
    JsonObject endless = Http.chat("endless", "go on").put("stream", true);
    try (RawHttp first = RawHttp.post(app.app().gatewayPort(), "/v1/chat/completions", KEY_1, endless.encode());
        RawHttp second = RawHttp.post(app.app().gatewayPort(), "/v1/chat/completions", KEY_2, endless.encode())) {
      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(200);
      double clientBefore = rejected("stream", "client");
      double globalBefore = rejected("stream", "global");
      assertCapped(Http.post(app.chatUrl(), KEY_1, Http.chat("mock-fast", "x").put("stream", true)),
          "per client");
      assertCapped(Http.post(app.chatUrl(), KEY_3, Http.chat("mock-fast", "x").put("stream", true)),
          "in all");
      assertThat(rejected("stream", "client")).isEqualTo(clientBefore + 1);
      assertThat(rejected("stream", "global")).isEqualTo(globalBefore + 1);
      assertThat(inUse("stream")).isEqualTo(2);
      // a plain chat is no stream and is not capped
      assertThat(Http.post(app.chatUrl(), KEY_1, Http.chat("mock-fast", "plain")).statusCode()).isEqualTo(200);
    }
    awaitInUse("stream", 0);
    // a stream that fails before its first token gives its slot back
    assertThat(Http.post(app.chatUrl(), KEY_1, Http.chat("mock-nope", "x").put("stream", true)).statusCode())
        .isEqualTo(404);
    assertThat(inUse("stream")).isZero();
    HttpResponse<String> again = Http.post(app.chatUrl(), KEY_1, Http.chat("mock-fast", "x").put("stream", true));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Sse.parse(again.body()).done()).isTrue();
    awaitInUse("stream", 0);
  }

  @Test
  @DisplayName("chat streams on the mock's own port go through the same admission")
  void streams_on_the_mock_port() {
    JsonObject endless = Http.chat("endless", "go on").put("stream", true);
    int port = app.app().llmHttpPort();
    try (RawHttp first = RawHttp.post(port, "/v1/chat/completions", KEY_1, endless.encode())) {
      assertThat(first.status()).isEqualTo(200);
      assertCapped(
          Http.post(app.llmUrl() + "/v1/chat/completions", KEY_1, Http.chat("mock-fast", "x").put("stream", true)),
          "per client");
    }
    awaitInUse("stream", 0);
    assertThat(Http.post(app.llmUrl() + "/v1/chat/completions", KEY_1, Http.chat("mock-fast", "x").put("stream", true))
        .statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("fan-outs: per client, released when the fan-out ends and when its client goes away")
  void fanouts() {
    JsonObject slow = new JsonObject().put("models", new JsonArray().add("endless")).put("timeout_ms", 600_000)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    try (RawHttp first = RawHttp.post(app.app().gatewayPort(), "/v1/chat/fanout", KEY_1, slow.encode())) {
      awaitInUse("fanout", 1);
      assertCapped(Http.post(base + "/v1/chat/fanout", KEY_1, slow), "per client");
      JsonObject quick = slow.copy().put("models", new JsonArray().add("mock-fast"));
      assertThat(Http.post(base + "/v1/chat/fanout", KEY_2, quick).statusCode()).isEqualTo(200);
    }
    awaitInUse("fanout", 0);
    JsonObject failing = slow.copy().put("models", new JsonArray().add("mock-nope"));
    assertThat(Http.post(base + "/v1/chat/fanout", KEY_1, failing).statusCode()).isEqualTo(200);
    assertThat(inUse("fanout")).isZero();
  }

  @Test
  @DisplayName("agent runs: per client, released when the run ends, fails, or its client goes away")
  void agent_runs() {
    JsonObject endless = new JsonObject().put("model", "endless").put("input", "think forever").put("stream", true);
    try (RawHttp first = RawHttp.post(app.app().gatewayPort(), "/v1/agent/runs", KEY_1, endless.encode())) {
      awaitInUse("agent_run", 1);
      assertCapped(
          Http.post(base + "/v1/agent/runs", KEY_1, new JsonObject().put("model", "mock-fast").put("input", "x")),
          "per client");
      assertThat(Http.post(base + "/v1/agent/runs", KEY_2, new JsonObject().put("model", "mock-fast").put("input", "x"))
          .statusCode()).isEqualTo(200);
    }
    // the client left while its run waited for the model: the run is stopped and its slot freed
    awaitInUse("agent_run", 0);
    assertThat(Http.post(base + "/v1/agent/runs", KEY_1, new JsonObject().put("model", "mock-nope").put("input", "x"))
        .statusCode()).isEqualTo(404);
    assertThat(inUse("agent_run")).isZero();
    assertThat(Http.post(base + "/v1/agent/runs", KEY_1, new JsonObject().put("model", "mock-fast").put("input", "x"))
        .statusCode()).isEqualTo(200);
    assertThat(inUse("agent_run")).isZero();
  }

  @Test
  @DisplayName("jobs: active ones per client and in all; a job holds its slot until it finishes or is cancelled")
  void jobs() {
    JsonObject endless = Jobs.batch("endless", 1, 1);
    HttpResponse<String> created = Http.post(base + "/v1/jobs", KEY_1, endless);
    assertThat(created.statusCode()).isEqualTo(202);
    String first = Http.json(created).getString("id");
    assertCapped(Http.post(base + "/v1/jobs", KEY_1, endless), "per client");
    HttpResponse<String> other = Http.post(base + "/v1/jobs", KEY_2, endless);
    assertThat(other.statusCode()).isEqualTo(202);
    assertCapped(Http.post(base + "/v1/jobs", KEY_3, endless), "in all");
    assertThat(inUse("job")).isEqualTo(2);

    assertThat(Http.delete(base + "/v1/jobs/" + first, KEY_1).statusCode()).isEqualTo(200);
    assertThat(Http.delete(base + "/v1/jobs/" + Http.json(other).getString("id"), KEY_2).statusCode()).isEqualTo(200);
    awaitInUse("job", 0);
    // a job whose every item fails still finishes and gives its slot back
    HttpResponse<String> failing = Http.post(base + "/v1/jobs", KEY_1, Jobs.batch("mock-nope", 2, 2));
    assertThat(failing.statusCode()).isEqualTo(202);
    Jobs.awaitFinished(base, KEY_1, Http.json(failing).getString("id"), Duration.ofSeconds(20));
    awaitInUse("job", 0);
    HttpResponse<String> quick = Http.post(base + "/v1/jobs", KEY_1, Jobs.batch("mock-fast", 2, 2));
    assertThat(quick.statusCode()).isEqualTo(202);
    assertThat(Jobs.awaitFinished(base, KEY_1, Http.json(quick).getString("id"), Duration.ofSeconds(20))
        .getString("status"))
        .isEqualTo("completed");
    awaitInUse("job", 0);
  }
}
