package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The agent's input is client text: it gets the message limits, and reading it costs the event loop
 * time linear in its length. A blocked-thread checker that calls 100 ms on one task a block watches.
 */
@DisplayName("POST /v1/agent/runs with hostile input")
class AgentInputTest {

  private static final int MAX_CHARS = 100_000;
  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject()
        .put("observability", new JsonObject()
            .put("blocked_thread_check_interval_ms", 20)
            .put("max_event_loop_execute_time_ms", 100))
        .put("gateway", new JsonObject().put("limits", new JsonObject().put("max_message_chars", MAX_CHARS))));
  }

  private static HttpResponse<String> run(JsonObject body) {
    return Http.post(app.gatewayUrl() + "/v1/agent/runs", body);
  }

  /** The blocks seen so far whose first stack names the agent's request parsing or a regex engine. */
  private static List<JsonObject> parsingBlocks() {
    JsonArray events = Http.json(Http.get(app.gatewayUrl() + "/admin/blocked-threads")).getJsonArray("events");
    return events.stream().map(JsonObject.class::cast)
        .filter(e -> e.getJsonArray("stack").stream().map(String::valueOf)
            .anyMatch(f -> f.contains("java.util.regex.") || f.startsWith("dev.agentloop.gateway.agent.")))
        .toList();
  }

  /** The parsing blocks that were not there before. */
  private static List<JsonObject> newParsingBlocks(List<JsonObject> before) {
    return parsingBlocks().stream().filter(e -> !before.contains(e)).toList();
  }

  @Test
  @DisplayName("a 24,000-digit input is answered without blocking a loop; a 200,000-digit one is a 400 for the limit")
  void long_digit_runs() {
    List<JsonObject> before = parsingBlocks();
    assertThat(run(new JsonObject().put("model", "mock-fast").put("input", "warm up 1+1")).statusCode())
        .isEqualTo(200);

    HttpResponse<String> digits = run(new JsonObject().put("model", "mock-fast").put("input", "1".repeat(24_000)));
    assertThat(digits.statusCode()).as(digits.body()).isEqualTo(200);
    JsonObject tools = Http.json(digits).getJsonArray("steps").stream().map(JsonObject.class::cast)
        .filter(s -> "tools".equals(s.getString("type"))).findFirst().orElseThrow();
    assertThat(tools.getJsonArray("calls").stream().map(c -> ((JsonObject) c).getString("name")))
        .as("a run of digits holds no expression and no word").containsExactly("clock");
    assertThat(newParsingBlocks(before)).as("blocked-thread events while parsing the input").isEmpty();

    HttpResponse<String> tooLong = run(new JsonObject().put("model", "mock-fast").put("input", "1".repeat(200_000)));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    JsonObject error = ChatCompletionsTest.errorOf(tooLong);
    assertThat(error.getString("param")).isEqualTo("input");
    assertThat(error.getString("code")).isEqualTo("string_above_max_length");
    assertThat(error.getString("message")).contains(String.valueOf(MAX_CHARS));

    JsonObject asMessage = new JsonObject().put("model", "mock-fast").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "2".repeat(200_000))));
    assertThat(run(asMessage).statusCode()).as("the same limit through messages").isEqualTo(400);
    assertThat(newParsingBlocks(before)).as("blocked-thread events while parsing the input").isEmpty();
  }

  @Test
  @DisplayName("expressions and words are still found in long, mixed input, and the plan stays bounded")
  void long_mixed_input() {
    List<JsonObject> before = parsingBlocks();
    String input = ("what is 12 * (3 + 4) for the encyclopedia " + "9".repeat(5_000) + " - ").repeat(18);
    HttpResponse<String> response = run(new JsonObject().put("model", "mock-fast").put("input", input));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonArray calls = Http.json(response).getJsonArray("steps").stream().map(JsonObject.class::cast)
        .filter(s -> "tools".equals(s.getString("type"))).findFirst().orElseThrow().getJsonArray("calls");
    assertThat(calls).hasSizeLessThanOrEqualTo(16);
    assertThat(calls.getJsonObject(1).getJsonObject("arguments").getString("expression")).isEqualTo("12 * (3 + 4)");
    assertThat(calls.getJsonObject(calls.size() - 1).getJsonObject("arguments").getString("query"))
        .isEqualTo("encyclopedia");
    assertThat(newParsingBlocks(before)).as("blocked-thread events while parsing the input").isEmpty();
  }
}
