package dev.agentloop.it;

import java.net.http.HttpTimeoutException;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.node.Metrics;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Timeouts, failing models and vanishing clients, as a client of the gateway sees them. */
class UpstreamFailuresTest {

  @AutoClose
  private static TestApp app;
  private static MeterRegistry registry;

  @BeforeAll
  static void start() {
    JsonArray models = TimeoutModels.models()
        .add(new JsonObject().put("id", "mock-flaky").put("first_token_ms", 50).put("per_token_ms", 10).put("tokens", 16)
            .put("failure_rate", 0.3))
        .add(new JsonObject().put("id", "mock-broken").put("first_token_ms", 10).put("failure_rate", 1.0))
        .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 20).put("tokens", 5000));
    app = TestApp.start(new JsonObject()
        .put("llm", new JsonObject().put("models", models))
        .put("gateway", new JsonObject()
            // these tests are about raw upstream failures: no retries, no breaker in between
            .put("resilience", new JsonObject().put("retries", new JsonObject().put("max_attempts", 1))
                .put("breaker", new JsonObject().put("enabled", false)))
            .put("models", new JsonObject()
            .mergeIn(TimeoutModels.timeouts()))));
    registry = app.registry();
  }

  @Test
  @DisplayName("a model slower than its first-token timeout is a 504 for a plain request")
  void slow_model_plain_is_504() {
    TimeoutModels.assertFirstTokenTimeout(Http.post(app.chatUrl(), Http.chat("mock-slow", "hi")));
  }

  @Test
  @DisplayName("a stream whose first token is late is a 504 before any byte is sent")
  void slow_model_stream_is_504() {
    TimeoutModels.assertFirstTokenTimeout(Http.post(app.chatUrl(), Http.chat("mock-slow", "hi").put("stream", true)));
  }

  @Test
  @DisplayName("a stream that runs past its total timeout after the first byte ends with an error event, not a silent close")
  void stream_timeout_after_first_byte_is_an_error_event() {
    TimeoutModels.assertTotalTimeoutAfterFirstByte(
        Http.post(app.chatUrl(), Http.chat("mock-realistic", "hi").put("stream", true)));
  }

  @Test
  @DisplayName("a failing model reaches the client as a 503 in the error shape, streamed or not")
  void failing_model_is_503() {
    HttpResponse<String> plain = Http.post(app.chatUrl(), Http.chat("mock-broken", "hi"));
    assertThat(plain.statusCode()).isEqualTo(503);
    assertThat(ChatCompletionsTest.errorOf(plain).getString("type")).isEqualTo("service_unavailable");
    assertThat(plain.headers().firstValue("retry-after")).isPresent();
    HttpResponse<String> streamed = Http.post(app.chatUrl(), Http.chat("mock-broken", "hi").put("stream", true));
    assertThat(streamed.statusCode()).isEqualTo(503);
  }

  @Test
  @DisplayName("mock-flaky fails some requests with 503 and answers the others")
  void flaky_model_fails_some() {
    int failures = 0;
    int successes = 0;
    for (int i = 0; i < 200 && (failures < 3 || successes < 3); i++) {
      HttpResponse<String> response = Http.post(app.chatUrl(), Http.chat("mock-flaky", "try " + i));
      if (response.statusCode() == 503) {
        ChatCompletionsTest.errorOf(response);
        failures++;
      } else {
        assertThat(response.statusCode()).isEqualTo(200);
        successes++;
      }
    }
    assertThat(failures).isGreaterThanOrEqualTo(3);
    assertThat(successes).isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName("a client that disconnects mid-stream stops the generation and frees it")
  void disconnect_stops_generation() throws Exception {
    double cancelledBefore = cancelled("mock-long");
    HttpRequest request = chatRequest(Http.chat("mock-long", "go").put("stream", true)).build();
    HttpResponse<InputStream> response = Http.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    int events = 0;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while (events < 5 && (line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events++;
        }
      }
    }
    assertThat(events).isEqualTo(5);
    Await.until("the generation is cancelled", Duration.ofSeconds(10), () -> cancelled("mock-long") > cancelledBefore);
    Await.until("no generation holds timers", Duration.ofSeconds(10), () -> active() == 0);
    double generated = tokens("mock-long");
    assertThat(generated).isLessThan(5000);
  }

  @Test
  @DisplayName("a client that disconnects while waiting for a plain answer stops the generation")
  void disconnect_plain_stops_generation() throws Exception {
    double cancelledBefore = cancelled("mock-long");
    HttpRequest request = chatRequest(Http.chat("mock-long", "go")).timeout(Duration.ofMillis(300)).build();
    try {
      Http.client().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException expected) {
      // the client gave up and closed its connection
    }
    Await.until("the generation is cancelled", Duration.ofSeconds(10), () -> cancelled("mock-long") > cancelledBefore);
  }

  /** A chat request sent by this test's own client, which can stop reading or give up. */
  private static HttpRequest.Builder chatRequest(JsonObject body) {
    return HttpRequest.newBuilder(URI.create(app.chatUrl())).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
  }

  private static double cancelled(String model) {
    Counter counter = registry.find("agentloop_llm_generations").tags("model", model, "outcome", "cancelled").counter();
    return counter == null ? 0 : counter.count();
  }

  private static double active() {
    return registry.get("agentloop_llm_generations_active").gauge().value();
  }

  private static double tokens(String model) {
    return registry.get("agentloop_llm_tokens_generated").tag("model", model).counter().count();
  }
}
