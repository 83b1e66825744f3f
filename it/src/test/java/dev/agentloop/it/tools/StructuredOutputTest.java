package dev.agentloop.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Structured output, stop, seed and n through the gateway and the mock's own port, over real HTTP. */
class StructuredOutputTest {

  @AutoClose
  private static final TestApp app = TestApp.start();

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  private static String url(String front) {
    return app.url(front) + "/v1/chat/completions";
  }

  private static JsonObject ok(String front, JsonObject body) {
    HttpResponse<String> response = Http.post(url(front), body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  private static JsonObject choice(JsonObject completion) {
    return completion.getJsonArray("choices").getJsonObject(0);
  }

  private static JsonObject schemaFormat(String name, JsonObject schema, boolean strict) {
    return new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject().put("name", name)
        .put("schema", schema).put("strict", strict));
  }

  static Stream<SchemaCorpus.Entry> corpus() {
    return SchemaCorpus.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("over the corpus: json_schema output is JSON valid against the schema, plain and streamed, on both fronts")
  void corpus_structured_output(SchemaCorpus.Entry entry) {
    for (String front : List.of("gateway", "llm")) {
      JsonObject body = Http.chat("mock-fast", "Plan a trip to Kyoto for 2 people on 2026-04-03")
          .put("response_format", schemaFormat("corpus", entry.schema(), false));
      JsonObject choice = choice(ok(front, body));
      assertThat(choice.getString("finish_reason")).isEqualTo("stop");
      String content = choice.getJsonObject("message").getString("content");
      assertThat(RealValidator.errors(entry.schema(), content)).as(front + ": " + content).isEmpty();
      HttpResponse<String> streamed = Http.post(url(front), body.copy().put("stream", true));
      assertThat(Sse.parse(streamed.body()).content()).isEqualTo(content);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("json_object gives a JSON object; max_tokens too small gives finish_reason length and a truncated text")
  void json_object_and_truncation(String front) {
    JsonObject body = Http.chat("mock-fast", "Reply in JSON about Lisbon")
        .put("response_format", new JsonObject().put("type", "json_object"));
    String content = choice(ok(front, body)).getJsonObject("message").getString("content");
    assertThat(Json.decodeValue(content)).isInstanceOf(JsonObject.class);
    JsonObject cut = choice(ok(front, body.copy().put("max_tokens", 3)));
    assertThat(cut.getString("finish_reason")).isEqualTo("length");
    String truncated = cut.getJsonObject("message").getString("content");
    assertThat(content).startsWith(truncated);
    assertThat(truncated.length()).isLessThan(content.length());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("a strict schema that breaks OpenAI's rules, and json_object without the word JSON, are 400s")
  void strict_schema_refused(String front) {
    JsonObject loose = new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("a", new JsonObject().put("type", "string")));
    HttpResponse<String> response = Http.post(url(front), Http.chat("mock-fast", "hi")
        .put("response_format", schemaFormat("loose", loose, true)));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = Http.json(response).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_json_schema");
    assertThat(error.getString("message")).contains("response_format 'loose'");
    JsonObject strictTool = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "t").put("parameters", loose).put("strict", true));
    HttpResponse<String> tool = Http.post(url(front), Http.chat("mock-fast", "hi")
        .put("tools", new JsonArray().add(strictTool)));
    assertThat(tool.statusCode()).isEqualTo(400);
    assertThat(Http.json(tool).getJsonObject("error").getString("param")).isEqualTo("tools[0].function.parameters");
    HttpResponse<String> noJson = Http.post(url(front), Http.chat("mock-fast", "hi")
        .put("response_format", new JsonObject().put("type", "json_object")));
    assertThat(noJson.statusCode()).isEqualTo(400);
    assertThat(Http.json(noJson).getJsonObject("error").getString("param")).isEqualTo("messages");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("stop cuts the text before the first stop string, finish_reason stop")
  void stop_cuts(String front) {
    JsonObject body = Http.chat("mock-echo", "alpha beta gamma delta epsilon");
    JsonObject cut = choice(ok(front, body.copy().put("stop", new JsonArray().add("delta").add("gamma"))));
    assertThat(cut.getJsonObject("message").getString("content")).isEqualTo("alpha beta ");
    assertThat(cut.getString("finish_reason")).isEqualTo("stop");
    JsonObject one = choice(ok(front, body.copy().put("stop", "eta")));
    assertThat(one.getJsonObject("message").getString("content")).isEqualTo("alpha b");
    String streamed = Sse.parse(Http.post(url(front), body.copy().put("stop", "eta").put("stream", true)).body())
        .content();
    assertThat(streamed).isEqualTo("alpha b");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("seed picks another deterministic text; n gives n different choices, each indexed")
  void seed_and_n(String front) {
    JsonObject body = Http.chat("mock-fast", "tell me something");
    String plain = choice(ok(front, body)).getJsonObject("message").getString("content");
    String seeded = choice(ok(front, body.copy().put("seed", 7))).getJsonObject("message").getString("content");
    assertThat(seeded).isNotEqualTo(plain);
    assertThat(choice(ok(front, body.copy().put("seed", 7))).getJsonObject("message").getString("content"))
        .isEqualTo(seeded);
    assertThat(choice(ok(front, body.copy().put("seed", 8))).getJsonObject("message").getString("content"))
        .isNotEqualTo(seeded);

    JsonObject three = ok(front, body.copy().put("n", 3));
    JsonArray choices = three.getJsonArray("choices");
    assertThat(choices).hasSize(3);
    Set<String> texts = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      assertThat(choices.getJsonObject(i).getInteger("index")).isEqualTo(i);
      assertThat(choices.getJsonObject(i).getString("finish_reason")).isEqualTo("stop");
      texts.add(choices.getJsonObject(i).getJsonObject("message").getString("content"));
    }
    assertThat(texts).hasSize(3).contains(plain);
    int oneChoiceTokens = ok(front, body).getJsonObject("usage").getInteger("completion_tokens");
    assertThat(three.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3 * oneChoiceTokens);

    Sse.Stream stream = Sse.parse(Http.post(url(front), body.copy().put("n", 3).put("stream", true)).body());
    assertThat(stream.done()).isTrue();
    for (int i = 0; i < 3; i++) {
      int index = i;
      List<JsonObject> ofChoice = stream.events().stream()
          .map(e -> e.getJsonArray("choices").getJsonObject(0))
          .filter(c -> c.getInteger("index") == index).toList();
      assertThat(ofChoice.get(0).getJsonObject("delta").getString("role")).isEqualTo("assistant");
      assertThat(ofChoice.stream().filter(c -> c.getValue("finish_reason") != null).count()).isEqualTo(1);
      StringBuilder text = new StringBuilder();
      ofChoice.forEach(c -> text.append(c.getJsonObject("delta").getString("content", "")));
      assertThat(text.toString()).isEqualTo(choices.getJsonObject(i).getJsonObject("message").getString("content"));
    }
  }
}
