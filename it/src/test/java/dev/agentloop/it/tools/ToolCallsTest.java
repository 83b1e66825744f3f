package dev.agentloop.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.Jobs;
import dev.agentloop.testkit.Sse;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tool calls through the gateway and the mock's own port, over real HTTP: plain and streamed, each tool_choice. */
class ToolCallsTest {

  @AutoClose
  private static final TestApp app = TestApp.start();

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  static String url(String front) {
    return app.url(front) + "/v1/chat/completions";
  }

  static final JsonObject WEATHER = new JsonObject().put("type", "object")
      .put("properties", new JsonObject()
          .put("city", new JsonObject().put("type", "string").put("description", "The city, e.g. Paris"))
          .put("unit", new JsonObject().put("type", "string").put("enum", new JsonArray().add("celsius").add("fahrenheit"))))
      .put("required", new JsonArray().add("city").add("unit")).put("additionalProperties", false);
  static final JsonObject TIME = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("timezone", new JsonObject().put("type", "string")))
      .put("required", new JsonArray().add("timezone"));

  static JsonObject tool(String name, JsonObject parameters) {
    return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)
        .put("description", "A tool").put("parameters", parameters));
  }

  static JsonObject request(String text) {
    return Http.chat("mock-fast", text).put("tools", new JsonArray().add(tool("get_weather", WEATHER))
        .add(tool("get_time", TIME)));
  }

  static JsonObject ok(String front, JsonObject body) {
    HttpResponse<String> response = Http.post(url(front), body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  static JsonObject choice(JsonObject completion) {
    return completion.getJsonArray("choices").getJsonObject(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("auto, no tool named: the first tool is called, content null, finish_reason tool_calls, arguments valid")
  void first_tool_called(String front) {
    JsonObject choice = choice(ok(front, request("What is the weather in Paris?")));
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject message = choice.getJsonObject("message");
    assertThat(message.containsKey("content")).isTrue();
    assertThat(message.getValue("content")).isNull();
    JsonArray calls = message.getJsonArray("tool_calls");
    assertThat(calls).hasSize(1);
    JsonObject call = calls.getJsonObject(0);
    assertThat(call.getString("id")).matches("call_[0-9a-f]{24}");
    assertThat(call.getString("type")).isEqualTo("function");
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    String arguments = call.getJsonObject("function").getString("arguments");
    assertThat(RealValidator.errors(WEATHER, arguments)).isEmpty();
    assertThat(new JsonObject(arguments).getString("city")).isEqualTo("Paris");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("tools named in the message are called in parallel, with unique ids; parallel_tool_calls false calls one")
  void parallel_calls(String front) {
    JsonObject both = request("Use get_time and get_weather for Tokyo");
    JsonArray calls = choice(ok(front, both)).getJsonObject("message").getJsonArray("tool_calls");
    assertThat(calls).hasSize(2);
    assertThat(calls.getJsonObject(0).getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(calls.getJsonObject(1).getJsonObject("function").getString("name")).isEqualTo("get_time");
    assertThat(calls.getJsonObject(0).getString("id")).isNotEqualTo(calls.getJsonObject(1).getString("id"));
    assertThat(RealValidator.errors(TIME, calls.getJsonObject(1).getJsonObject("function").getString("arguments")))
        .isEmpty();
    JsonArray one = choice(ok(front, both.copy().put("parallel_tool_calls", false))).getJsonObject("message")
        .getJsonArray("tool_calls");
    assertThat(one).hasSize(1);
    assertThat(one.getJsonObject(0).getJsonObject("function").getString("name")).isEqualTo("get_weather");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("tool_choice: a named function is called; required calls; none answers in text; auto calls")
  void each_tool_choice(String front) {
    JsonObject named = request("weather in Rome").put("tool_choice", new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "get_time")));
    assertThat(choice(ok(front, named)).getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0)
        .getJsonObject("function").getString("name")).isEqualTo("get_time");
    JsonObject required = choice(ok(front, request("hello").put("tool_choice", "required")));
    assertThat(required.getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(required.getJsonObject("message").getJsonArray("tool_calls")).hasSize(1);
    JsonObject none = choice(ok(front, request("hello").put("tool_choice", "none")));
    assertThat(none.getString("finish_reason")).isEqualTo("stop");
    assertThat(none.getJsonObject("message").containsKey("tool_calls")).isFalse();
    assertThat(none.getJsonObject("message").getString("content")).isNotBlank();
    JsonObject auto = choice(ok(front, request("hello").put("tool_choice", "auto")));
    assertThat(auto.getString("finish_reason")).isEqualTo("tool_calls");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("tool results after the last user message: a text answer holding each result verbatim")
  void tool_result_answer(String front) {
    JsonObject first = choice(ok(front, request("Use get_weather and get_time in Oslo")));
    JsonObject assistant = first.getJsonObject("message");
    JsonArray messages = request("").getJsonArray("messages").copy();
    messages.getJsonObject(0).put("content", "Use get_weather and get_time in Oslo");
    messages.add(assistant);
    List<String> results = List.of("{\"temp_c\": 4, \"sky\": \"snow\"}", "It is 09:41 in Europe/Oslo.");
    JsonArray calls = assistant.getJsonArray("tool_calls");
    for (int i = 0; i < calls.size(); i++) {
      messages.add(new JsonObject().put("role", "tool").put("tool_call_id", calls.getJsonObject(i).getString("id"))
          .put("content", results.get(i)));
    }
    JsonObject answer = choice(ok(front, request("x").put("messages", messages)));
    assertThat(answer.getString("finish_reason")).isEqualTo("stop");
    assertThat(answer.getJsonObject("message").containsKey("tool_calls")).isFalse();
    assertThat(answer.getJsonObject("message").getString("content")).contains(results.get(0)).contains(results.get(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("a tool message answering no call is a 400 naming the message")
  void orphan_tool_message(String front) {
    JsonObject body = request("x").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "hi"))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_nowhere").put("content", "42")));
    HttpResponse<String> response = Http.post(url(front), body);
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = Http.json(response).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo("messages.[1].role");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("streamed tool calls follow OpenAI's sequence, fragment by fragment, and equal the plain answer's calls")
  void streamed_tool_calls(String front) {
    JsonObject body = request("Use get_weather and get_time for Lima").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    HttpResponse<String> response = Http.post(url(front), body);
    assertThat(response.statusCode()).isEqualTo(200);
    Sse.Stream stream = Sse.parse(response.body());
    assertThat(stream.done()).isTrue();
    List<JsonObject> events = stream.events();
    JsonObject role = events.get(0).getJsonArray("choices").getJsonObject(0);
    assertThat(role.getJsonObject("delta").encode()).isEqualTo("{\"role\":\"assistant\",\"content\":null,\"refusal\":null}");
    assertThat(role.getValue("finish_reason")).isNull();

    int finishes = 0;
    int expectedIndex = -1;
    Set<String> ids = new HashSet<>();
    List<StringBuilder> arguments = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int fragments = 0;
    for (JsonObject event : events.subList(1, events.size() - 1)) {
      assertThat(event.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(event.containsKey("usage")).isTrue();
      assertThat(event.getValue("usage")).isNull();
      JsonObject choice = event.getJsonArray("choices").getJsonObject(0);
      JsonObject delta = choice.getJsonObject("delta");
      if (choice.getValue("finish_reason") != null) {
        finishes++;
        assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
        assertThat(delta).isEqualTo(new JsonObject());
        continue;
      }
      assertThat(finishes).as("nothing after the finish chunk but usage").isZero();
      assertThat(delta.fieldNames()).containsExactly("tool_calls");
      JsonArray calls = delta.getJsonArray("tool_calls");
      assertThat(calls).hasSize(1);
      JsonObject call = calls.getJsonObject(0);
      assertThat(call.getValue("index")).as("every fragment has its index").isInstanceOf(Integer.class);
      int index = call.getInteger("index");
      if (call.containsKey("id")) {
        assertThat(index).as("calls one after another by index").isEqualTo(expectedIndex + 1);
        expectedIndex = index;
        assertThat(ids.add(call.getString("id"))).isTrue();
        assertThat(call.fieldNames()).containsExactlyInAnyOrder("index", "id", "type", "function");
        assertThat(call.getString("type")).isEqualTo("function");
        assertThat(call.getJsonObject("function").getString("arguments")).isEmpty();
        names.add(call.getJsonObject("function").getString("name"));
        arguments.add(new StringBuilder());
      } else {
        assertThat(index).isEqualTo(expectedIndex);
        assertThat(call.fieldNames()).containsExactly("index", "function");
        assertThat(call.getJsonObject("function").fieldNames()).containsExactly("arguments");
        String piece = call.getJsonObject("function").getString("arguments");
        assertThat(piece).isNotEmpty();
        arguments.get(index).append(piece);
        fragments++;
      }
    }
    assertThat(finishes).isEqualTo(1);
    assertThat(names).containsExactly("get_weather", "get_time");
    assertThat(fragments).isGreaterThan(4);
    assertThat(RealValidator.errors(WEATHER, arguments.get(0).toString())).isEmpty();
    assertThat(RealValidator.errors(TIME, arguments.get(1).toString())).isEmpty();
    JsonObject usage = events.get(events.size() - 1);
    assertThat(usage.getJsonArray("choices")).isEmpty();
    assertThat(usage.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(fragments + 2);

    JsonArray plain = choice(ok(front, request("Use get_weather and get_time for Lima"))).getJsonObject("message")
        .getJsonArray("tool_calls");
    for (int i = 0; i < 2; i++) {
      assertThat(plain.getJsonObject(i).getJsonObject("function").getString("arguments"))
          .isEqualTo(arguments.get(i).toString());
    }
  }

  @Test
  @DisplayName("jobs and fan-out carry tools through unchanged: their completions hold the tool calls")
  void jobs_and_fanout_carry_tool_calls() {
    JsonObject item = request("Use get_time and get_weather in Quito");
    JsonObject job = Jobs.create(app.gatewayUrl(), new JsonObject().put("requests", new JsonArray().add(item)
        .add(Http.chat("mock-fast", "plain"))).put("concurrency", 2));
    JsonObject finished = Jobs.awaitFinished(app.gatewayUrl(), job.getString("id"), Duration.ofSeconds(20));
    JsonObject completion = finished.getJsonArray("results").getJsonObject(0).getJsonObject("completion");
    JsonObject message = choice(completion).getJsonObject("message");
    assertThat(choice(completion).getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(message.getJsonArray("tool_calls")).hasSize(2);
    assertThat(message.getValue("content")).isNull();
    assertThat(choice(finished.getJsonArray("results").getJsonObject(1).getJsonObject("completion"))
        .getJsonObject("message").getString("content")).isNotBlank();

    JsonObject fanout = new JsonObject().put("mode", "all").put("models", new JsonArray().add("mock-fast").add("mock-echo"))
        .put("messages", item.getJsonArray("messages")).put("tools", item.getJsonArray("tools"));
    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/chat/fanout", fanout);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    for (Object result : Http.json(response).getJsonArray("results")) {
      JsonObject answer = choice(((JsonObject) result).getJsonObject("completion"));
      assertThat(answer.getString("finish_reason")).isEqualTo("tool_calls");
      assertThat(answer.getJsonObject("message").getJsonArray("tool_calls")).hasSize(2);
    }
  }

  /** The tool calls a stream carried: per call, its id, name and joined arguments. */
  static List<String> streamedCalls(Sse.Stream stream) {
    List<String> calls = new ArrayList<>();
    List<StringBuilder> arguments = new ArrayList<>();
    for (JsonObject event : stream.events()) {
      JsonArray choices = event.getJsonArray("choices");
      if (choices.isEmpty() || !(choices.getJsonObject(0).getJsonObject("delta").getValue("tool_calls")
          instanceof JsonArray fragments)) {
        continue;
      }
      JsonObject call = fragments.getJsonObject(0);
      if (call.containsKey("id")) {
        calls.add(call.getString("id") + " " + call.getJsonObject("function").getString("name"));
        arguments.add(new StringBuilder());
      } else {
        arguments.get(call.getInteger("index")).append(call.getJsonObject("function").getString("arguments"));
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      out.add(calls.get(i) + " " + arguments.get(i));
    }
    return out;
  }

  @Test
  @DisplayName("a streamed tool-call turn replayed for its Idempotency-Key carries the same calls, ids included")
  void idempotent_replay_of_tool_calls() {
    HttpResponse<String> created = Http.post(app.gatewayUrl() + "/v1/conversations", new JsonObject());
    String conversation = Http.json(created).getString("id");
    String body = request("Use get_weather and get_time for Nairobi").put("stream", true)
        .put("conversation_id", conversation).encode();
    HttpRequest post = HttpRequest.newBuilder(URI.create(url("gateway"))).header("content-type", "application/json")
        .header("idempotency-key", "tools-replay-1").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    Sse.Stream first = Sse.parse(Http.send(post).body());
    HttpResponse<String> again = Http.send(post);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("idempotent-replayed")).hasValue("true");
    Sse.Stream replayed = Sse.parse(again.body());
    assertThat(streamedCalls(first)).hasSize(2);
    assertThat(streamedCalls(replayed)).isEqualTo(streamedCalls(first));
    assertThat(replayed.events().get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta"))
        .isEqualTo(first.events().get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta"));
    JsonObject finish = replayed.events().get(replayed.events().size() - 1).getJsonArray("choices").getJsonObject(0);
    assertThat(finish.getString("finish_reason")).isEqualTo("tool_calls");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("tool-call fragments are paced like tokens: mock-realistic's first-token delay, then 20 ms per entry")
  void fragments_are_paced(String front) {
    JsonObject body = request("weather in Cairo").put("model", "mock-realistic").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    long started = System.nanoTime();
    Sse.Stream stream = Sse.parse(Http.post(url(front), body).body());
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    int entries = stream.usage().getInteger("completion_tokens");
    assertThat(streamedCalls(stream)).hasSize(1);
    assertThat(entries).isGreaterThan(3);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(200 + 20L * (entries - 1));
  }

  static Stream<SchemaCorpus.Entry> objectSchemas() {
    return SchemaCorpus.objects().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objectSchemas")
  @DisplayName("over the corpus: tool-call arguments are valid against the tool's schema, on both fronts")
  void corpus_arguments(SchemaCorpus.Entry entry) {
    for (String front : List.of("gateway", "llm")) {
      JsonObject body = Http.chat("mock-fast", "Book a table in Paris for 4 on 2026-05-01, email ada@example.com")
          .put("tools", new JsonArray().add(tool("corpus_tool", entry.schema())));
      JsonObject message = choice(ok(front, body)).getJsonObject("message");
      String arguments = message.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
          .getString("arguments");
      assertThat(RealValidator.errors(entry.schema(), arguments)).as(front + ": " + arguments).isEmpty();
    }
  }
}
