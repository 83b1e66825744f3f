package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.node.Metrics;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Retries, fallbacks, circuit breaking and timeouts on /v1/chat/completions, as a client sees them. */
class ResilienceTest {

  @AutoClose
  private static TestApp app;
  private static MeterRegistry registry;

  @BeforeAll
  static void start() {
    JsonArray models = TimeoutModels.models()
        .add(new JsonObject().put("id", "mock-flaky").put("first_token_ms", 5).put("per_token_ms", 5).put("tokens", 16)
            .put("failure_rate", 0.6))
        .add(new JsonObject().put("id", "mock-down").put("first_token_ms", 5).put("failure_rate", 1.0))
        .add(new JsonObject().put("id", "mock-dead").put("first_token_ms", 1).put("failure_rate", 1.0))
        .add(new JsonObject().put("id", "mock-coin").put("first_token_ms", 5).put("tokens", 4).put("failure_rate", 0.5));
    JsonObject noBreaker = new JsonObject().put("enabled", false);
    app = TestApp.start(new JsonObject()
        .put("llm", new JsonObject().put("models", models))
        .put("gateway", new JsonObject().put("models", new JsonObject()
            .put("mock-flaky", new JsonObject().put("breaker", noBreaker)
                .put("retries", new JsonObject().put("max_attempts", 20).put("base_delay_ms", 2).put("budget_ms", 20_000)))
            .put("mock-down", new JsonObject().put("breaker", noBreaker).put("fallbacks", new JsonArray().add("mock-fast"))
                .put("retries", new JsonObject().put("max_attempts", 2).put("base_delay_ms", 1)))
            .put("mock-dead", new JsonObject().put("breaker", noBreaker).put("retries", new JsonObject()
                .put("max_attempts", 100).put("base_delay_ms", 20).put("max_delay_ms", 40).put("budget_ms", 300)))
            .put("mock-coin", new JsonObject().put("retries", new JsonObject().put("max_attempts", 1))
                .put("breaker", new JsonObject().put("failure_threshold", 3).put("reset_ms", 1500)))
            .mergeIn(TimeoutModels.timeouts()))));
    registry = app.registry();
  }

  @Test
  @DisplayName("a retried mock-flaky stream carries each token exactly once, the same text as a plain answer")
  void retried_stream_never_duplicates_tokens() {
    JsonObject request = Http.chat("mock-flaky", "say it once");
    HttpResponse<String> plain = Http.post(app.chatUrl(), request);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    String expected = Http.json(plain).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content");
    int retriedStreams = 0;
    for (int i = 0; i < 40 && retriedStreams < 3; i++) {
      double retriesBefore = retries("mock-flaky");
      HttpResponse<String> response = Http.post(app.chatUrl(), request.copy().put("stream", true));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      Sse.Stream stream = Sse.parse(response.body());
      assertThat(stream.done()).isTrue();
      assertThat(stream.error()).isNull();
      assertThat(stream.contentEvents()).hasSize(16);
      assertThat(stream.content()).isEqualTo(expected);
      assertThat(stream.events()).allSatisfy(e -> assertThat(e.getString("model")).isEqualTo("mock-flaky"));
      if (retries("mock-flaky") > retriesBefore) {
        retriedStreams++;
      }
    }
    assertThat(retriedStreams).as("streams that needed a retry").isGreaterThanOrEqualTo(3);
    assertThat(Http.get(app.gatewayUrl() + "/metrics").body())
        .contains("agentloop_retries_total{model=\"mock-flaky\",reason=\"upstream_503\"}");
  }

  @Test
  @DisplayName("a model that keeps failing falls back to its configured fallback, which the answer names")
  void fallback_answers_and_names_the_model() {
    HttpResponse<String> reference = Http.post(app.chatUrl(), Http.chat("mock-fast", "fall back"));
    String fastText = Http.json(reference).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content");
    double fallbacksBefore = fallbacks("mock-down", "mock-fast");
    double retriesBefore = retries("mock-down");

    HttpResponse<String> plain = Http.post(app.chatUrl(), Http.chat("mock-down", "fall back"));
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    assertThat(plain.headers().firstValue("x-agentloop-model")).hasValue("mock-fast");
    JsonObject body = Http.json(plain);
    assertThat(body.getString("model")).isEqualTo("mock-fast");
    assertThat(body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo(fastText);

    HttpResponse<String> streamed = Http.post(app.chatUrl(), Http.chat("mock-down", "fall back").put("stream", true));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.headers().firstValue("x-agentloop-model")).hasValue("mock-fast");
    Sse.Stream stream = Sse.parse(streamed.body());
    assertThat(stream.done()).isTrue();
    assertThat(stream.content()).isEqualTo(fastText);
    assertThat(stream.events()).allSatisfy(e -> assertThat(e.getString("model")).isEqualTo("mock-fast"));

    assertThat(fallbacks("mock-down", "mock-fast")).isEqualTo(fallbacksBefore + 2);
    assertThat(retries("mock-down")).as("max_attempts 2: one retry per request").isEqualTo(retriesBefore + 2);
  }

  @Test
  @DisplayName("retries stop when their time budget is spent, long before the attempt limit, and the 503 reaches the client")
  void retries_are_bounded_by_time() {
    double retriesBefore = retries("mock-dead");
    HttpResponse<String> response = Http.post(app.chatUrl(), Http.chat("mock-dead", "anyone?"));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(ChatCompletionsTest.errorOf(response).getString("type")).isEqualTo("service_unavailable");
    double retried = retries("mock-dead") - retriesBefore;
    assertThat(retried).isGreaterThanOrEqualTo(1).isLessThan(30); // 300 ms of 10-40 ms backoffs, not 99
  }

  @Test
  @DisplayName("the breaker opens after consecutive failures, answers 503 without reaching the model, and closes after a probe")
  void breaker_opens_answers_fast_and_closes() {
    assertThat(breakerState("mock-coin")).isZero();
    Await.until("the breaker of mock-coin opens", Duration.ofSeconds(30), () -> {
      Http.post(app.chatUrl(), Http.chat("mock-coin", "flip"));
      return breakerState("mock-coin") == 1;
    });
    double generationsBefore = generations("mock-coin");
    HttpResponse<String> refused = Http.post(app.chatUrl(), Http.chat("mock-coin", "flip"));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(ChatCompletionsTest.errorOf(refused).getString("code")).isEqualTo("circuit_open");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    HttpResponse<String> refusedStream = Http.post(app.chatUrl(), Http.chat("mock-coin", "flip").put("stream", true));
    assertThat(refusedStream.statusCode()).isEqualTo(503);
    assertThat(generations("mock-coin")).as("generations started while open").isEqualTo(generationsBefore);

    Await.until("a probe after the reset time closes the breaker", Duration.ofSeconds(30), () -> {
      Http.post(app.chatUrl(), Http.chat("mock-coin", "flip"));
      return breakerState("mock-coin") == 0;
    });
    assertThat(generations("mock-coin")).isGreaterThan(generationsBefore);
    HttpResponse<String> metrics = Http.get(app.gatewayUrl() + "/metrics");
    assertThat(metrics.body()).contains("agentloop_breaker_state{model=\"mock-coin\"} 0.0");
  }

  @Test
  @DisplayName("a late first token is a 504 for plain and streamed requests, and is not retried")
  void first_token_timeout_is_504_and_not_retried() {
    double retriesBefore = retries("mock-slow");
    TimeoutModels.assertFirstTokenTimeout(Http.post(app.chatUrl(), Http.chat("mock-slow", "hi")));
    TimeoutModels.assertFirstTokenTimeout(Http.post(app.chatUrl(), Http.chat("mock-slow", "hi").put("stream", true)));
    assertThat(retries("mock-slow")).isEqualTo(retriesBefore);
  }

  @Test
  @DisplayName("the total timeout is a 504 for a plain request and an error event after the first byte of a stream")
  void total_timeout_plain_and_streamed() {
    HttpResponse<String> plain = Http.post(app.chatUrl(), Http.chat("mock-realistic", "hi"));
    assertThat(plain.statusCode()).isEqualTo(504);
    assertThat(ChatCompletionsTest.errorOf(plain).getString("message")).contains("500 ms");
    TimeoutModels.assertTotalTimeoutAfterFirstByte(
        Http.post(app.chatUrl(), Http.chat("mock-realistic", "hi").put("stream", true)));
  }

  private static double retries(String model) {
    return registry.find("agentloop_retries").tag("model", model).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static double fallbacks(String from, String to) {
    Counter counter = registry.find("agentloop_fallbacks").tags("from", from, "to", to).counter();
    return counter == null ? 0 : counter.count();
  }

  private static double breakerState(String model) {
    var gauge = registry.find("agentloop_breaker_state").tag("model", model).gauge();
    return gauge == null ? 0 : gauge.value();
  }

  private static double generations(String model) {
    return registry.find("agentloop_llm_generations").tag("model", model).counters().stream()
        .mapToDouble(Counter::count).sum() + registry.get("agentloop_llm_generations_active").gauge().value();
  }
}
