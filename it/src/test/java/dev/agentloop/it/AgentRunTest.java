package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** POST /v1/agent/runs: plan, concurrent tool calls, answer, written with await on virtual threads. */
class AgentRunTest {

  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  private static HttpResponse<String> run(JsonObject body) {
    return Http.post(app.gatewayUrl() + "/v1/agent/runs", body);
  }

  private static JsonObject step(JsonObject run, String type) {
    return run.getJsonArray("steps").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("type").equals(type)).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("an agent run plans, runs its tool calls overlapping in time, and answers")
  void run_completes_with_overlapping_tool_calls() {
    HttpResponse<String> response = run(new JsonObject().put("model", "mock-realistic")
        .put("input", "What is (2+3)*4, what time is it, and what do the archives say?"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject body = Http.json(response);
    assertThat(body.getString("object")).isEqualTo("agent.run");
    assertThat(body.getString("status")).isEqualTo("completed");
    assertThat(body.getBoolean("virtual_thread")).isTrue();
    assertThat(body.getString("answer")).isNotBlank();
    assertThat(body.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("type")))
        .containsExactly("plan", "tools", "answer");

    JsonArray calls = step(body, "tools").getJsonArray("calls");
    assertThat(calls.stream().map(c -> ((JsonObject) c).getString("name")))
        .containsExactly("clock", "calculator", "lookup");
    JsonObject calculator = calls.getJsonObject(1);
    assertThat(calculator.getJsonObject("arguments").getString("expression")).isEqualTo("(2+3)*4");
    assertThat(calculator.getJsonObject("result").getDouble("value")).isEqualTo(20.0);
    assertThat(calls.getJsonObject(0).getJsonObject("result").getString("now")).isNotBlank();
    assertThat(calls.getJsonObject(2).getJsonObject("result").getString("fact")).contains("archives");

    // every call started before any call ended: they overlapped in time
    double lastStart = calls.stream().mapToDouble(c -> ((JsonObject) c).getDouble("started_ms")).max().orElseThrow();
    double firstEnd = calls.stream().mapToDouble(c -> ((JsonObject) c).getDouble("ended_ms")).min().orElseThrow();
    assertThat(lastStart).isLessThan(firstEnd);
    // and the steps ran in order: plan, then tools, then answer
    assertThat(step(body, "plan").getDouble("ended_ms")).isLessThanOrEqualTo(step(body, "tools").getDouble("started_ms"));
    assertThat(step(body, "tools").getDouble("ended_ms")).isLessThanOrEqualTo(step(body, "answer").getDouble("started_ms"));
    assertThat(step(body, "plan").getString("model")).isEqualTo("mock-realistic");
  }

  @Test
  @DisplayName("with a conversation_id the run first loads the stored conversation and the model sees it")
  void run_loads_the_conversation() {
    String conversation = Http.json(Http.post(app.gatewayUrl() + "/v1/conversations", new JsonObject()))
        .getString("id");
    assertThat(Http.post(app.gatewayUrl() + "/v1/chat/completions",
        Http.chat("mock-echo", "remember the archives").put("conversation_id", conversation)).statusCode()).isEqualTo(200);
    JsonObject without = Http.json(run(new JsonObject().put("model", "mock-fast").put("input", "what now?")));
    HttpResponse<String> response = run(new JsonObject().put("model", "mock-fast").put("input", "what now?")
        .put("conversation_id", conversation));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject run = Http.json(response);
    JsonObject load = step(run, "load_conversation");
    assertThat(load.getString("status")).isEqualTo("completed");
    assertThat(load.getInteger("messages_loaded")).isEqualTo(2);
    // the model saw the history: mock text depends on every message, so the plan differs
    assertThat(step(run, "plan").getString("output")).isNotEqualTo(step(without, "plan").getString("output"));
    assertThat(run(new JsonObject().put("model", "mock-fast").put("input", "x").put("conversation_id", "conv_missing"))
        .statusCode()).isEqualTo(404);
    assertThat(run(new JsonObject().put("model", "mock-fast").put("input", "x").put("conversation_id", "../etc"))
        .statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("a streamed run sends each step and each tool call as it finishes, then the run, then [DONE]")
  void streamed_run_sends_steps_as_they_finish() {
    HttpResponse<String> response = run(new JsonObject().put("model", "mock-fast").put("stream", true)
        .put("input", "What is 6*7 according to the encyclopedia?"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    Sse.Stream stream = Sse.parse(response.body());
    assertThat(stream.done()).isTrue();
    assertThat(stream.events().stream().map(e -> e.getString("object")))
        .containsExactly("agent.run.step", "agent.run.tool_call", "agent.run.tool_call", "agent.run.tool_call",
            "agent.run.step", "agent.run.step", "agent.run");
    // the tool calls arrive in the order they finished: the slow lookup last
    assertThat(stream.events().get(3).getJsonObject("tool_call").getString("name")).isEqualTo("lookup");
    assertThat(stream.events().get(4).getJsonObject("step").getString("type")).isEqualTo("tools");
    JsonObject finished = stream.events().get(6);
    assertThat(finished.getString("status")).isEqualTo("completed");
    assertThat(step(finished, "tools").getJsonArray("calls").getJsonObject(1).getJsonObject("result").getDouble("value"))
        .isEqualTo(42.0);
  }

  @Test
  @DisplayName("explicit tool calls run as given, and a failing tool is reported without failing the run")
  void explicit_tools_and_a_failing_tool() {
    JsonArray tools = new JsonArray()
        .add(new JsonObject().put("name", "lookup").put("arguments", new JsonObject().put("query", "vertx")))
        .add(new JsonObject().put("name", "lookup").put("arguments", new JsonObject().put("query", "asyncio")))
        .add(new JsonObject().put("name", "calculator").put("arguments", new JsonObject().put("expression", "2+")));
    HttpResponse<String> response = run(new JsonObject().put("model", "mock-fast").put("tools", tools)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "compare"))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonArray calls = step(Http.json(response), "tools").getJsonArray("calls");
    assertThat(calls).hasSize(3);
    JsonObject first = calls.getJsonObject(0);
    JsonObject second = calls.getJsonObject(1);
    assertThat(first.getDouble("started_ms")).isLessThan(second.getDouble("ended_ms"));
    assertThat(second.getDouble("started_ms")).isLessThan(first.getDouble("ended_ms"));
    assertThat(calls.getJsonObject(2).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  @DisplayName("several runs at once all complete: a run waiting in await holds no event loop")
  void concurrent_runs_complete() {
    List<CompletableFuture<HttpResponse<String>>> runs = IntStream.range(0, 8).mapToObj(i ->
        Http.client().sendAsync(HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/v1/agent/runs"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", "mock-fast")
                .put("input", "run number " + i + " computes " + i + "*7").encode())).build(),
            HttpResponse.BodyHandlers.ofString())).toList();
    for (int i = 0; i < runs.size(); i++) {
      HttpResponse<String> response = runs.get(i).join();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonArray calls = step(Http.json(response), "tools").getJsonArray("calls");
      assertThat(calls.getJsonObject(1).getJsonObject("result").getDouble("value")).isEqualTo(i * 7.0);
    }
  }

  @Test
  @DisplayName("bad agent runs are 400s and an unknown model is a 404, in OpenAI's shape")
  void bad_runs() {
    for (JsonObject bad : List.of(
        new JsonObject().put("input", "no model"),
        new JsonObject().put("model", "mock-fast"),
        new JsonObject().put("model", "mock-fast").put("input", 42),
        new JsonObject().put("model", "mock-fast").put("input", "x").put("tools", new JsonArray().add(
            new JsonObject().put("name", "rm -rf"))))) {
      HttpResponse<String> response = run(bad);
      assertThat(response.statusCode()).as(bad.encode()).isEqualTo(400);
      assertThat(ChatCompletionsTest.errorOf(response).getString("type")).isEqualTo("invalid_request_error");
    }
    HttpResponse<String> unknown = run(new JsonObject().put("model", "mock-nope").put("input", "hello"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(ChatCompletionsTest.errorOf(unknown).getString("code")).isEqualTo("model_not_found");
  }
}
