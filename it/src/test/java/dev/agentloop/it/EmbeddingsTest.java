package dev.agentloop.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agentloop.contract.Addresses;
import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.TestApp;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code POST /v1/embeddings} through real HTTP on both fronts: the gateway and the mock's own port. */
class EmbeddingsTest {

  @AutoClose
  private static final TestApp app = TestApp.start();

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  private static String url(String front) {
    return app.url(front) + "/v1/embeddings";
  }

  private static JsonObject embed(String front, JsonObject request) {
    HttpResponse<String> response = Http.post(url(front), request);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    return Http.json(response);
  }

  private static JsonObject request(Object input) {
    return new JsonObject().put("model", "mock-embed").put("input", input);
  }

  static float[] floats(JsonObject item) {
    JsonArray array = item.getJsonArray("embedding");
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.getNumber(i).floatValue();
    }
    return v;
  }

  static float[] decode(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[bytes.remaining() / Float.BYTES];
    bytes.asFloatBuffer().get(v);
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static float[] vector(JsonObject body, int index) {
    return floats(body.getJsonArray("data").getJsonObject(index));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("a string: OpenAI's exact shape, 1536 unit-length floats, usage counted, the model named in a header")
  void string_input(String front) {
    HttpResponse<String> response = Http.post(url(front), request("The quick brown fox"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-agentloop-model")).hasValue("mock-embed");
    JsonObject body = Http.json(response);
    assertThat(body.fieldNames()).containsExactly("object", "data", "model", "usage");
    assertThat(body.getString("object")).isEqualTo("list");
    assertThat(body.getString("model")).isEqualTo("mock-embed");
    assertThat(body.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 4).put("total_tokens", 4));
    JsonObject item = body.getJsonArray("data").getJsonObject(0);
    assertThat(body.getJsonArray("data")).hasSize(1);
    assertThat(item.fieldNames()).containsExactly("object", "index", "embedding");
    assertThat(item.getString("object")).isEqualTo("embedding");
    assertThat(item.getInteger("index")).isZero();
    float[] v = floats(item);
    assertThat(v).hasSize(1536);
    assertThat(Math.sqrt(cosineNorm(v))).isCloseTo(1.0, within(1e-5));
  }

  private static double cosineNorm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return sum;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("an array of strings, token ids and arrays of token ids: one item per input, by index, tokens counted")
  void array_shapes(String front) {
    JsonObject strings = embed(front, request(new JsonArray().add("alpha beta").add("gamma").add("delta epsilon zeta")));
    assertThat(strings.getJsonArray("data")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(strings.getJsonArray("data").getJsonObject(i).getInteger("index")).isEqualTo(i);
    }
    assertThat(strings.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(6);
    assertThat(vector(strings, 1)).isEqualTo(vector(embed(front, request("gamma")), 0));

    JsonObject ids = embed(front, request(new JsonArray().add(15339).add(1917).add(0)));
    assertThat(ids.getJsonArray("data")).hasSize(1);
    assertThat(ids.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(3);

    JsonObject idArrays = embed(front, request(new JsonArray().add(new JsonArray().add(15339).add(1917).add(0))
        .add(new JsonArray().add(7))));
    assertThat(idArrays.getJsonArray("data")).hasSize(2);
    assertThat(idArrays.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(4);
    assertThat(vector(idArrays, 0)).as("the same ids, flat or nested, give the same vector").isEqualTo(vector(ids, 0));
    assertThat(vector(idArrays, 1)).isNotEqualTo(vector(idArrays, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("base64 decodes as little-endian float32 to exactly the float form")
  void base64_equals_float(String front) {
    JsonArray inputs = new JsonArray().add("first text to encode").add("second one");
    JsonObject floats = embed(front, request(inputs).put("encoding_format", "float"));
    JsonObject base64 = embed(front, request(inputs).put("encoding_format", "base64"));
    for (int i = 0; i < 2; i++) {
      String encoded = base64.getJsonArray("data").getJsonObject(i).getString("embedding");
      assertThat(decode(encoded)).hasSize(1536).isEqualTo(vector(floats, i));
    }
    assertThat(base64.getJsonObject("usage")).isEqualTo(floats.getJsonObject("usage"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("dimensions gives the first n components re-normalised, in both encodings")
  void dimensions(String front) {
    float[] full = vector(embed(front, request("a text to shorten")), 0);
    float[] shortened = vector(embed(front, request("a text to shorten").put("dimensions", 256)), 0);
    assertThat(shortened).hasSize(256);
    assertThat(cosineNorm(shortened)).isCloseTo(1.0, within(1e-5));
    float[] prefix = new float[256];
    System.arraycopy(full, 0, prefix, 0, 256);
    assertThat(cosine(prefix, shortened)).isCloseTo(1.0, within(1e-5));
    String base64 = embed(front, request("a text to shorten").put("dimensions", 256).put("encoding_format", "base64"))
        .getJsonArray("data").getJsonObject(0).getString("embedding");
    assertThat(decode(base64)).isEqualTo(shortened);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("texts that share words are closer (cosine) than unrelated ones, as retrieval needs")
  void similarity(String front) {
    JsonObject body = embed(front, request(new JsonArray()
        .add("How do I reset my account password?")
        .add("Resetting a forgotten account password")
        .add("The best pasta recipes with fresh tomatoes")
        .add("Fresh tomato pasta recipe for dinner")));
    float[] password = vector(body, 0);
    float[] password2 = vector(body, 1);
    float[] pasta = vector(body, 2);
    float[] pasta2 = vector(body, 3);
    assertThat(cosine(password, password2)).isGreaterThan(cosine(password, pasta)).isGreaterThan(0.2);
    assertThat(cosine(pasta, pasta2)).isGreaterThan(cosine(pasta, password2)).isGreaterThan(0.2);
    assertThat(cosine(password, pasta)).isLessThan(0.2);
  }

  @Test
  @DisplayName("deterministic: the same request gives the same bytes, on either front")
  void deterministic() {
    JsonObject req = request(new JsonArray().add("stable vectors").add("every time"));
    String first = Http.post(url("gateway"), req).body();
    assertThat(Http.post(url("gateway"), req).body()).isEqualTo(first);
    assertThat(Http.post(url("llm"), req).body()).isEqualTo(first);
  }

  static Stream<Arguments> refusals() {
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 2049; i++) {
      tooMany.add("x");
    }
    JsonObject ok = new JsonObject().put("model", "mock-embed").put("input", "x");
    return fronts().flatMap(front -> Stream.of(
        Arguments.of(front, "an unknown model", ok.copy().put("model", "text-embedding-9"), 404, "model",
            "model_not_found"),
        Arguments.of(front, "a chat model", ok.copy().put("model", "mock-fast"), 404, "model", "model_not_found"),
        Arguments.of(front, "no model", new JsonObject().put("input", "x"), 400, "model",
            "missing_required_parameter"),
        Arguments.of(front, "no input", new JsonObject().put("model", "mock-embed"), 400, "input",
            "missing_required_parameter"),
        Arguments.of(front, "an empty string", ok.copy().put("input", ""), 400, "input", null),
        Arguments.of(front, "an empty array", ok.copy().put("input", new JsonArray()), 400, "input", null),
        Arguments.of(front, "a number", ok.copy().put("input", 42), 400, "input", "invalid_type"),
        Arguments.of(front, "a mixed array", ok.copy().put("input", new JsonArray().add("a").add(1)), 400,
            "input[1]", "invalid_type"),
        Arguments.of(front, "a negative token id", ok.copy().put("input", new JsonArray().add(1).add(-2)), 400,
            "input[1]", "invalid_type"),
        Arguments.of(front, "2049 inputs", ok.copy().put("input", tooMany), 400, "input", null),
        Arguments.of(front, "dimensions 0", ok.copy().put("dimensions", 0), 400, "dimensions", "invalid_value"),
        Arguments.of(front, "dimensions 1537", ok.copy().put("dimensions", 1537), 400, "dimensions", "invalid_value"),
        Arguments.of(front, "dimensions as text", ok.copy().put("dimensions", "64"), 400, "dimensions",
            "invalid_type"),
        Arguments.of(front, "encoding_format hex", ok.copy().put("encoding_format", "hex"), 400, "encoding_format",
            "invalid_value")));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refusals")
  @DisplayName("every bad request is refused in OpenAI's error shape, naming the parameter")
  void refused(String front, String what, JsonObject body, int status, String param, String code) {
    HttpResponse<String> response = Http.post(url(front), body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonObject error = ChatCompletionsTest.errorOf(response);
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo(param);
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("a body that is not JSON, and a body over the limit, fail like chat's")
  void body_guards(String front) {
    HttpResponse<String> notJson = Http.post(url(front), "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(ChatCompletionsTest.errorOf(notJson).getString("type")).isEqualTo("invalid_request_error");
    HttpResponse<String> tooLarge = Http.post(url(front), request("x".repeat(1_100_000)));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
  }

  @Test
  @DisplayName("requests, inputs and tokens are counted per configured embedding model; an unknown model adds no series")
  void metrics() {
    double before = counter("agentloop_llm_embedding_inputs");
    double tokensBefore = counter("agentloop_llm_embedding_tokens");
    embed("gateway", request(new JsonArray().add("one two three").add("four")));
    embed("llm", request("five six"));
    Http.post(url("gateway"), request("x").put("model", "no-such-embedder"));
    assertThat(counter("agentloop_llm_embedding_inputs") - before).isEqualTo(3);
    assertThat(counter("agentloop_llm_embedding_tokens") - tokensBefore).isEqualTo(6);
    assertThat(app.registry().find("agentloop_llm_embedding_requests").counters())
        .allSatisfy(c -> assertThat(c.getId().getTag("model")).isEqualTo("mock-embed"));
  }

  private static double counter(String name) {
    return app.registry().find(name).tag("model", "mock-embed").counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  @DisplayName("with API keys set, both fronts refuse a keyless embeddings request with 401 and serve a keyed one")
  void guarded_on_both_fronts() {
    try (TestApp keyed = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("api_keys", new JsonArray().add("sk-embed"))))) {
      for (String base : new String[] {keyed.gatewayUrl(), keyed.llmUrl()}) {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/v1/embeddings"))
            .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(request("x").encode()));
        assertThat(Http.send(post.build()).statusCode()).as(base).isEqualTo(401);
        assertThat(Http.send(post.header("authorization", "Bearer sk-embed").build()).statusCode()).as(base)
            .isEqualTo(200);
      }
    }
  }

  @Test
  @DisplayName("the embeddings admission cap answers 429 with Retry-After while a request holds the slot; "
      + "a model that does not answer in first_token_ms is a 504")
  void admitted_and_timed_out() throws Exception {
    // A gateway with no llm-service: a consumer of the test holds the embed requests it gets.
    try (TestApp gateway = TestApp.start(new JsonObject()
        .put("services", new JsonArray().add("gateway").add("storage"))
        .put("gateway", new JsonObject()
            .put("admission", new JsonObject().put("embeddings", new JsonObject().put("per_client", 1)))
            .put("models", new JsonObject().put("slow-embed", new JsonObject()
                .put("timeouts", new JsonObject().put("first_token_ms", 300))))))) {
      CompletableFuture<Message<Object>> held = new CompletableFuture<>();
      MessageConsumer<Object> consumer = gateway.vertx().eventBus().consumer(Addresses.LLM_EMBED, message -> {
        if ("mock-embed".equals(((JsonObject) message.body()).getString("model"))) {
          held.complete(message);
        }
      });
      consumer.completion().await(5, TimeUnit.SECONDS);
      String url = gateway.gatewayUrl() + "/v1/embeddings";
      CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> Http.post(url, request("x")));
      Message<Object> message = held.get(20, TimeUnit.SECONDS);
      HttpResponse<String> refused = Http.post(url, request("y"));
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("retry-after")).isPresent();
      assertThat(ChatCompletionsTest.errorOf(refused).getString("message")).contains("embedding");
      Promise<Void> replied = Promise.promise();
      gateway.vertx().runOnContext(v -> {
        message.reply(Buffer.buffer("{\"object\":\"list\",\"data\":[],\"model\":\"mock-embed\","
            + "\"usage\":{\"prompt_tokens\":0,\"total_tokens\":0}}"), new DeliveryOptions()
            .addHeader("model", "mock-embed"));
        replied.complete();
      });
      replied.future().await(5, TimeUnit.SECONDS);
      assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      HttpResponse<String> timedOut = Http.post(url, request("z").put("model", "slow-embed"));
      assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(504);
      assertThat(ChatCompletionsTest.errorOf(timedOut).getString("type")).isEqualTo("timeout");
    }
  }
}
