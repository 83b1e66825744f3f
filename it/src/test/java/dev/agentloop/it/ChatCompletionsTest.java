package dev.agentloop.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The chat-completion API through the gateway and through the mock's own port, over real HTTP. */
class ChatCompletionsTest {

  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject()
        .put("gateway", new JsonObject().put("body_limit_bytes", 4096)));
  }

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  private static String url(String front) {
    return app.url(front) + "/v1/chat/completions";
  }

  private static JsonObject streaming(JsonObject request) {
    return request.copy().put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("a plain chat answers with an OpenAI chat.completion and exact usage")
  void plain_chat(String front) {
    HttpResponse<String> response = Http.post(url(front), Http.chat("mock-fast", "hello there"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonObject body = Http.json(response);
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getString("id")).startsWith("chatcmpl-");
    assertThat(body.getString("model")).isEqualTo("mock-fast");
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
    String content = choice.getJsonObject("message").getString("content");
    assertThat(content).isNotBlank();
    JsonObject usage = body.getJsonObject("usage");
    assertThat(usage.getInteger("completion_tokens")).isEqualTo(16);
    assertThat(content.split(" ")).hasSize(16);
    assertThat(usage.getInteger("total_tokens"))
        .isEqualTo(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("a streamed chat is framed as OpenAI's SSE: role first, one event per token, finish, usage, [DONE]")
  void streamed_chat_framing(String front) {
    HttpResponse<String> response = Http.post(url(front), streaming(Http.chat("mock-realistic", "tell me")));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    Sse.Stream stream = Sse.parse(response.body());
    assertThat(stream.done()).isTrue();
    List<JsonObject> events = stream.events();
    JsonObject first = events.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    assertThat(first.getString("role")).isEqualTo("assistant");
    assertThat(stream.contentEvents()).hasSize(32);
    JsonObject finish = events.get(events.size() - 2);
    assertThat(finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    JsonObject usageChunk = events.get(events.size() - 1);
    assertThat(usageChunk.getJsonArray("choices")).isEmpty();
    assertThat(usageChunk.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(32);
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(e.getString("id")).isEqualTo(events.get(0).getString("id"));
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mock-fast", "mock-realistic", "mock-echo"})
  @DisplayName("the streamed text and usage equal the plain text and usage for the same input")
  void streamed_equals_plain(String model) {
    JsonObject request = Http.chat(model,
        "the quick brown fox jumps over the lazy dog");
    request.getJsonArray("messages").add(0, new JsonObject().put("role", "system").put("content", "be brief"));
    JsonObject plain = Http.json(Http.post(url("gateway"), request));
    Sse.Stream streamed = Sse.parse(Http.post(url("gateway"), streaming(request)).body());
    assertThat(streamed.content())
        .isEqualTo(plain.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertThat(streamed.usage()).isEqualTo(plain.getJsonObject("usage"));
  }

  @Test
  @DisplayName("each token event leaves as soon as the model produces it, not all at the end")
  void tokens_arrive_as_produced() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url("gateway")))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Http.chat("mock-realistic", "pace").put("stream", true).encode()))
        .build();
    List<Long> arrivals = new ArrayList<>();
    long sent = System.nanoTime();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        Http.client().send(request, HttpResponse.BodyHandlers.ofInputStream()).body()))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: {") && line.contains("\"content\":\"") && !line.contains("\"role\"")) {
          arrivals.add(System.nanoTime());
        }
      }
    }
    assertThat(arrivals).hasSize(32);
    // mock-realistic: first token at 200 ms, then one every 20 ms. Timers are never early, so the
    // last token cannot arrive before ~820 ms; and a stream that were buffered until the end would
    // deliver the first token together with the last one.
    assertThat((arrivals.get(31) - sent) / 1_000_000).isGreaterThanOrEqualTo(800);
    assertThat((arrivals.get(31) - arrivals.get(0)) / 1_000_000).isGreaterThanOrEqualTo(250);
  }

  @Test
  @DisplayName("the same model, messages and max_tokens always give the same text; other messages give another")
  void deterministic() {
    String a1 = content(Http.json(Http.post(url("gateway"), Http.chat("mock-fast", "one"))));
    String a2 = content(Http.json(Http.post(url("llm"), Http.chat("mock-fast", "one"))));
    String b = content(Http.json(Http.post(url("gateway"), Http.chat("mock-fast", "two"))));
    assertThat(a1).isEqualTo(a2).isNotEqualTo(b);
  }

  @ParameterizedTest(name = "max_tokens={0}")
  @ValueSource(ints = {1, 7, 100})
  @DisplayName("max_tokens gives exactly that many completion tokens and finish_reason length, in both modes")
  void max_tokens(int maxTokens) {
    JsonObject request = Http.chat("mock-fast", "count").put("max_tokens", maxTokens);
    JsonObject plain = Http.json(Http.post(url("gateway"), request));
    assertThat(plain.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(maxTokens);
    assertThat(plain.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
    Sse.Stream streamed = Sse.parse(Http.post(url("gateway"), streaming(request)).body());
    assertThat(streamed.contentEvents()).hasSize(maxTokens);
    assertThat(streamed.usage().getInteger("completion_tokens")).isEqualTo(maxTokens);
    JsonObject newer = Http.chat("mock-fast", "count").put("max_completion_tokens", maxTokens);
    assertThat(Http.json(Http.post(url("gateway"), newer)).getJsonObject("usage").getInteger("completion_tokens"))
        .isEqualTo(maxTokens);
  }

  @Test
  @DisplayName("mock-echo answers with the words of the last user message")
  void echo() {
    JsonObject request = new JsonObject().put("model", "mock-echo").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "first question"))
        .add(new JsonObject().put("role", "assistant").put("content", "an answer"))
        .add(new JsonObject().put("role", "user").put("content", "  echo   these words  ")));
    JsonObject body = Http.json(Http.post(url("gateway"), request));
    assertThat(content(body)).isEqualTo("echo these words");
    assertThat(body.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("an unknown model is a 404 model_not_found, streamed or not")
  void unknown_model(String front) {
    for (JsonObject request : List.of(Http.chat("gpt-9", "hi"), streaming(Http.chat("gpt-9", "hi")))) {
      HttpResponse<String> response = Http.post(url(front), request);
      assertThat(response.statusCode()).isEqualTo(404);
      JsonObject error = errorOf(response);
      assertThat(error.getString("code")).isEqualTo("model_not_found");
      assertThat(error.getString("message")).contains("gpt-9");
    }
  }

  static Stream<Arguments> badRequests() {
    JsonArray ok = new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"));
    return Stream.of(
        Arguments.of("malformed JSON", "{\"model\": \"mock-fast\", \"messages\": [", null),
        Arguments.of("empty body", "", null),
        Arguments.of("a JSON array", "[1,2]", null),
        Arguments.of("no model", new JsonObject().put("messages", ok).encode(), "model"),
        Arguments.of("model a number", new JsonObject().put("model", 5).put("messages", ok).encode(), "model"),
        Arguments.of("no messages", new JsonObject().put("model", "mock-fast").encode(), "messages"),
        Arguments.of("messages a string", new JsonObject().put("model", "mock-fast").put("messages", "hi").encode(), "messages"),
        Arguments.of("empty messages", new JsonObject().put("model", "mock-fast").put("messages", new JsonArray()).encode(), "messages"),
        Arguments.of("message without role", new JsonObject().put("model", "mock-fast")
            .put("messages", new JsonArray().add(new JsonObject().put("content", "x"))).encode(), "messages[0].role"),
        Arguments.of("unknown role", new JsonObject().put("model", "mock-fast")
            .put("messages", new JsonArray().add(new JsonObject().put("role", "wizard").put("content", "x"))).encode(), "messages[0].role"),
        Arguments.of("content a number", new JsonObject().put("model", "mock-fast")
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", 42))).encode(), "messages[0].content"),
        Arguments.of("max_tokens a string", new JsonObject().put("model", "mock-fast").put("messages", ok).put("max_tokens", "5").encode(), "max_tokens"),
        Arguments.of("max_tokens zero", new JsonObject().put("model", "mock-fast").put("messages", ok).put("max_tokens", 0).encode(), "max_tokens"),
        Arguments.of("max_tokens fractional", new JsonObject().put("model", "mock-fast").put("messages", ok).put("max_tokens", 2.5).encode(), "max_tokens"),
        Arguments.of("max_tokens too large", new JsonObject().put("model", "mock-fast").put("messages", ok).put("max_tokens", 10_000_000).encode(), "max_tokens"),
        Arguments.of("stream a string", new JsonObject().put("model", "mock-fast").put("messages", ok).put("stream", "yes").encode(), "stream"),
        Arguments.of("stream_options without stream", new JsonObject().put("model", "mock-fast").put("messages", ok)
            .put("stream_options", new JsonObject().put("include_usage", true)).encode(), "stream_options"),
        Arguments.of("temperature out of range", new JsonObject().put("model", "mock-fast").put("messages", ok).put("temperature", 7).encode(), "temperature"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  @DisplayName("bad input is a 400 in OpenAI's error shape naming the parameter")
  void bad_request(String what, String body, String param) {
    for (String front : List.of("gateway", "llm")) {
      HttpResponse<String> response = Http.post(url(front), body);
      assertThat(response.statusCode()).as(front).isEqualTo(400);
      JsonObject error = errorOf(response);
      assertThat(error.getString("type")).isEqualTo("invalid_request_error");
      assertThat(error.getString("param")).isEqualTo(param);
      assertThat(error.getString("message")).isNotBlank();
    }
  }

  @Test
  @DisplayName("unknown fields are tolerated, as OpenAI does")
  void unknown_fields() {
    JsonObject request = Http.chat("mock-fast", "hi").put("user", "u-1").put("seed", 3).put("metadata", new JsonObject())
        .put("some_future_field", new JsonArray().add(1));
    assertThat(Http.post(url("gateway"), request).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a body over the limit is a 413 in OpenAI's error shape")
  void body_too_large() {
    JsonObject request = Http.chat("mock-fast", "x".repeat(10_000));
    HttpResponse<String> response = Http.post(url("gateway"), request);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(errorOf(response).getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  @DisplayName("an unknown route is a 404 in OpenAI's error shape")
  void unknown_route() {
    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/nothing-here", "{}");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(errorOf(response).getString("message")).contains("/v1/nothing-here");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("GET /v1/models lists exactly the configured models, the embedding model too; GET /v1/models/{id} finds one or 404s")
  void models(String front) {
    String base = app.url(front);
    JsonObject list = Http.json(Http.get(base + "/v1/models"));
    assertThat(list.getString("object")).isEqualTo("list");
    assertThat(list.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")).toList())
        .containsExactly("mock-echo", "mock-embed", "mock-fast", "mock-flaky", "mock-realistic", "mock-slow");
    assertThat(Http.json(Http.get(base + "/v1/models/mock-slow")).getString("object")).isEqualTo("model");
    assertThat(Http.json(Http.get(base + "/v1/models/mock-embed")).getString("id")).isEqualTo("mock-embed");
    assertThat(Http.get(base + "/v1/models/nope").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("liveness and readiness answer 200 with every check UP")
  void health() {
    assertThat(Http.get(app.gatewayUrl() + "/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = Http.get(app.gatewayUrl() + "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Http.json(ready).getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("status")))
        .containsOnly("UP");
  }

  static String content(JsonObject completion) {
    return completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  static JsonObject errorOf(HttpResponse<String> response) {
    JsonObject body = Http.json(response);
    assertThat(body.fieldNames()).containsExactly("error");
    JsonObject error = body.getJsonObject("error");
    assertThat(error.fieldNames()).contains("message", "type", "param", "code");
    return error;
  }
}
