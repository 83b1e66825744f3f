package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.node.Metrics;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** POST /v1/chat/fanout: gather with per-model errors, a race that cancels its losers, a bounded wait. */
class FanoutTest {

  @AutoClose
  private static TestApp app;
  private static MeterRegistry registry;

  @BeforeAll
  static void start() {
    JsonArray models = new JsonArray()
        .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
        .add(new JsonObject().put("id", "mock-realistic").put("first_token_ms", 200).put("per_token_ms", 20).put("tokens", 32))
        .add(new JsonObject().put("id", "mock-slow").put("first_token_ms", 5000).put("per_token_ms", 50).put("tokens", 32))
        .add(new JsonObject().put("id", "mock-broken").put("first_token_ms", 10).put("failure_rate", 1.0))
        .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 20).put("tokens", 5000));
    app = TestApp.start(new JsonObject()
        .put("llm", new JsonObject().put("models", models))
        .put("gateway", new JsonObject()
            .put("resilience", new JsonObject().put("breaker", new JsonObject().put("enabled", false)))
            .put("models", new JsonObject()
                .put("mock-broken", new JsonObject().put("retries", new JsonObject().put("max_attempts", 1))))));
    registry = app.registry();
  }

  private static JsonObject fanout(JsonObject body) {
    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/chat/fanout", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  private static JsonObject request(String mode, List<String> models) {
    return new JsonObject().put("mode", mode).put("models", new JsonArray(models))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "fan me out")));
  }

  private static JsonObject result(JsonObject body, String model) {
    return body.getJsonArray("results").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("model").equals(model)).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("mode all gathers every model's answer, and each failing model's error in OpenAI's shape")
  void all_gathers_results_and_errors() {
    JsonObject body = fanout(request("all", List.of("mock-fast", "mock-realistic", "mock-broken", "mock-nope")));
    assertThat(body.getString("object")).isEqualTo("chat.fanout");
    assertThat(body.getJsonArray("results")).hasSize(4);
    JsonObject fast = result(body, "mock-fast");
    assertThat(fast.getString("status")).isEqualTo("ok");
    assertThat(fast.getJsonObject("completion").getString("model")).isEqualTo("mock-fast");
    assertThat(fast.getJsonObject("completion").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(16);
    JsonObject realistic = result(body, "mock-realistic");
    assertThat(realistic.getString("status")).isEqualTo("ok");
    assertThat(realistic.getJsonObject("completion").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(32);
    JsonObject broken = result(body, "mock-broken");
    assertThat(broken.getString("status")).isEqualTo("error");
    assertThat(broken.getInteger("status_code")).isEqualTo(503);
    assertThat(broken.getJsonObject("error").getString("type")).isEqualTo("service_unavailable");
    assertThat(broken.getJsonObject("error").fieldNames()).contains("message", "type", "param", "code");
    JsonObject unknown = result(body, "mock-nope");
    assertThat(unknown.getInteger("status_code")).isEqualTo(404);
    assertThat(unknown.getJsonObject("error").getString("code")).isEqualTo("model_not_found");
    for (Object r : body.getJsonArray("results")) {
      assertThat(((JsonObject) r).getDouble("latency_ms")).isPositive()
          .isLessThanOrEqualTo(body.getDouble("total_ms"));
    }
    assertThat(realistic.getDouble("latency_ms")).isGreaterThan(fast.getDouble("latency_ms"));
    assertThat(body.getJsonArray("timed_out")).isEmpty();
  }

  @Test
  @DisplayName("mode first returns the first success and really stops the losers' generations")
  void first_wins_and_losers_stop() {
    double cancelledBefore = count("mock-long", "cancelled");
    JsonObject body = fanout(request("first", List.of("mock-long", "mock-broken", "mock-fast")));
    assertThat(body.getString("winner")).isEqualTo("mock-fast");
    assertThat(result(body, "mock-fast").getString("status")).isEqualTo("ok");
    assertThat(result(body, "mock-broken").getString("status")).isIn("error", "cancelled");
    assertThat(result(body, "mock-long").getString("status")).isEqualTo("cancelled");
    Await.until("the losing generation is cancelled in the llm-service", Duration.ofSeconds(10),
        () -> count("mock-long", "cancelled") > cancelledBefore);
    Await.until("no generation holds timers any more", Duration.ofSeconds(10),
        () -> registry.get("agentloop_llm_generations_active").gauge().value() == 0);
    assertThat(count("mock-long", "completed")).isZero();
  }

  @Test
  @DisplayName("timeout_ms bounds the whole call, lists the models that timed out and stops them")
  void timeout_bounds_the_call() {
    double cancelledBefore = count("mock-slow", "cancelled");
    JsonObject body = fanout(request("all", List.of("mock-fast", "mock-slow")).put("timeout_ms", 400));
    assertThat(body.getJsonArray("timed_out")).containsExactly("mock-slow");
    JsonObject slow = result(body, "mock-slow");
    assertThat(slow.getString("status")).isEqualTo("timed_out");
    assertThat(slow.getJsonObject("error").getString("type")).isEqualTo("timeout");
    assertThat(result(body, "mock-fast").getString("status")).isEqualTo("ok");
    assertThat(body.getDouble("total_ms")).isGreaterThanOrEqualTo(400).isLessThan(5000);
    Await.until("the timed-out generation is cancelled", Duration.ofSeconds(10),
        () -> count("mock-slow", "cancelled") > cancelledBefore);
  }

  @Test
  @DisplayName("mode first with every model failing answers with no winner and each error")
  void first_without_a_success() {
    JsonObject body = fanout(request("first", List.of("mock-broken", "mock-nope")));
    assertThat(body.getValue("winner")).isNull();
    assertThat(result(body, "mock-broken").getString("status")).isEqualTo("error");
    assertThat(result(body, "mock-nope").getInteger("status_code")).isEqualTo(404);
  }

  @Test
  @DisplayName("bad fan-out requests are 400s in OpenAI's shape")
  void bad_requests_are_400() {
    for (JsonObject bad : List.of(
        new JsonObject().put("messages", new JsonArray()),
        request("all", List.of()),
        request("sometimes", List.of("mock-fast")),
        request("all", List.of("mock-fast")).put("timeout_ms", 0),
        request("all", List.of("mock-fast")).put("timeout_ms", "soon"),
        request("all", List.of("mock-fast")).put("messages", "hi"),
        request("all", List.of("mock-fast")).put("max_tokens", -1))) {
      HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/chat/fanout", bad);
      assertThat(response.statusCode()).as(bad.encode()).isEqualTo(400);
      assertThat(ChatCompletionsTest.errorOf(response).getString("type")).isEqualTo("invalid_request_error");
    }
  }

  @Test
  @DisplayName("five concurrent mock-realistic calls take about as long as one (the fan-out figure, printed)")
  void fanout_figure() {
    fanout(request("all", List.of("mock-realistic"))); // warm-up
    JsonObject one = fanout(request("all", List.of("mock-realistic")));
    JsonObject five = fanout(request("all", List.of("mock-realistic", "mock-realistic", "mock-realistic",
        "mock-realistic", "mock-realistic")));
    assertThat(five.getJsonArray("results")).hasSize(5)
        .allSatisfy(r -> assertThat(((JsonObject) r).getString("status")).isEqualTo("ok"));
    double ratio = five.getDouble("total_ms") / one.getDouble("total_ms");
    System.out.printf("FANOUT FIGURE: 1 call %.1f ms, 5 concurrent calls %.1f ms, ratio %.2f%n",
        one.getDouble("total_ms"), five.getDouble("total_ms"), ratio);
  }

  private static double count(String model, String outcome) {
    Counter counter = registry.find("agentloop_llm_generations").tags("model", model, "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
