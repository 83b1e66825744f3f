package dev.agentloop.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.Embeddings;
import dev.agentloop.contract.chat.LlmClient;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.llm.embed.HashingEmbedder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code agentloop.llm.embed} over a real event bus, through the {@link LlmClient} both fronts use. */
class EmbedRequestsTest {

  private static final StreamTimeouts TIMEOUTS = new StreamTimeouts(30_000, 30_000, 30_000);
  private Vertx vertx;
  private MeterRegistry registry;
  private LlmClient client;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = ConfigLoader.merge(ConfigLoader.defaults(), new JsonObject()
        .put("llm", new JsonObject().put("http_port", 0).put("embeddings", new JsonObject()
            .put("models", new JsonArray()
                .add(new JsonObject().put("id", "mock-embed").put("dimensions", 1536))
                .add(new JsonObject().put("id", "small-embed").put("dimensions", 64)))
            .put("max_pending", 1))));
    registry = new SimpleMeterRegistry();
    Node node = Node.standalone("embed-test", registry);
    LlmConfig llm = LlmConfig.from(Settings.root(config).section("llm"));
    int maxTokens = HttpLimits.from(Settings.root(config).section("gateway")).maxTokensLimit();
    LlmMetrics metrics = new LlmMetrics(registry, node.id());
    vertx.deployVerticle(() -> new LlmVerticle(llm, maxTokens, 5_000, node, metrics),
        new DeploymentOptions().setInstances(1)).await(10, TimeUnit.SECONDS);
    client = new LlmClient(vertx, model -> TIMEOUTS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Embeddings embed(JsonObject request) throws Exception {
    return client.embed(request).await(30, TimeUnit.SECONDS);
  }

  private ApiException refusal(JsonObject request) {
    try {
      Embeddings answer = embed(request);
      throw new AssertionError("expected a failure, got " + answer.body());
    } catch (ApiException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject request(Object input) {
    return new JsonObject().put("model", "mock-embed").put("input", input);
  }

  private static float[] floats(JsonObject item) {
    JsonArray array = item.getJsonArray("embedding");
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.getNumber(i).floatValue();
    }
    return v;
  }

  private static float[] decode(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[bytes.remaining() / Float.BYTES];
    bytes.asFloatBuffer().get(v);
    return v;
  }

  @Test
  @DisplayName("the reply is OpenAI's body, one item per input in order, with the usage and headers counted like chat")
  void shape() throws Exception {
    Embeddings answer = embed(request(new JsonArray().add("first input here").add("second")));
    JsonObject body = new JsonObject(answer.body());
    assertThat(body.fieldNames()).containsExactly("object", "data", "model", "usage");
    assertThat(body.getString("object")).isEqualTo("list");
    assertThat(body.getString("model")).isEqualTo("mock-embed");
    assertThat(body.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 4).put("total_tokens", 4));
    JsonArray data = body.getJsonArray("data");
    assertThat(data).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonObject item = data.getJsonObject(i);
      assertThat(item.fieldNames()).containsExactly("object", "index", "embedding");
      assertThat(item.getString("object")).isEqualTo("embedding");
      assertThat(item.getInteger("index")).isEqualTo(i);
      assertThat(item.getJsonArray("embedding")).hasSize(1536);
    }
    assertThat(floats(data.getJsonObject(0))).isEqualTo(new HashingEmbedder(1536, 32_768, 8192).embed("first input here"));
    assertThat(answer.model()).isEqualTo("mock-embed");
    assertThat(answer.inputs()).isEqualTo(2);
    assertThat(answer.promptTokens()).isEqualTo(4);
  }

  @Test
  @DisplayName("base64 is the float form as little-endian float32; token ids count one token each")
  void base64_and_tokens() throws Exception {
    JsonArray ids = new JsonArray().add(new JsonArray().add(15339).add(1917)).add(new JsonArray().add(42));
    JsonObject floats = new JsonObject(embed(request(ids)).body());
    Embeddings encoded = embed(request(ids).put("encoding_format", "base64"));
    JsonObject base64 = new JsonObject(encoded.body());
    assertThat(encoded.promptTokens()).isEqualTo(3);
    for (int i = 0; i < 2; i++) {
      assertThat(decode(base64.getJsonArray("data").getJsonObject(i).getString("embedding")))
          .isEqualTo(floats(floats.getJsonArray("data").getJsonObject(i)));
    }
    assertThat(floats(floats.getJsonArray("data").getJsonObject(0)))
        .isNotEqualTo(floats(floats.getJsonArray("data").getJsonObject(1)));
  }

  @Test
  @DisplayName("dimensions shortens the vector and keeps it unit length; each model has its own dimension")
  void dimensions() throws Exception {
    float[] full = floats(new JsonObject(embed(request("shorten me")).body()).getJsonArray("data").getJsonObject(0));
    float[] short8 = floats(new JsonObject(embed(request("shorten me").put("dimensions", 8)).body())
        .getJsonArray("data").getJsonObject(0));
    assertThat(short8).isEqualTo(HashingEmbedder.shorten(full, 8));
    double norm = 0;
    for (float x : short8) {
      norm += (double) x * x;
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
    JsonObject small = new JsonObject(embed(new JsonObject().put("model", "small-embed").put("input", "x")).body());
    assertThat(small.getJsonArray("data").getJsonObject(0).getJsonArray("embedding")).hasSize(64);
  }

  @Test
  @DisplayName("each bad request is a 400 or 404 in OpenAI's shape, naming the parameter")
  void refusals() {
    ApiException unknown = refusal(request("x").put("model", "mock-fast"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("model_not_found");
    assertThat(refusal(new JsonObject().put("input", "x")).param()).isEqualTo("model");
    assertThat(refusal(new JsonObject().put("model", "mock-embed")).param()).isEqualTo("input");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= 2048; i++) {
      tooMany.add("x");
    }
    ApiException many = refusal(request(tooMany));
    assertThat(many.status()).isEqualTo(400);
    assertThat(many.param()).isEqualTo("input");
    assertThat(many.getMessage()).contains("2048");
    for (Object dims : new Object[] {0, 1537, -1, 1.5, "8"}) {
      ApiException e = refusal(request("x").put("dimensions", dims));
      assertThat(e.status()).as("dimensions %s", dims).isEqualTo(400);
      assertThat(e.param()).as("dimensions %s", dims).isEqualTo("dimensions");
    }
    ApiException format = refusal(request("x").put("encoding_format", "hex"));
    assertThat(format.status()).isEqualTo(400);
    assertThat(format.param()).isEqualTo("encoding_format");
    assertThat(refusal(request(new JsonArray().add("ok").add(3))).param()).isEqualTo("input[1]");
    assertThat(refusal(request("")).param()).isEqualTo("input");
  }

  @Test
  @DisplayName("past max_pending requests waiting or running a request is a 429, and the first still answers")
  void bounded() throws Exception {
    JsonArray big = new JsonArray();
    String text = "a long input of many words that keeps the worker busy for a while ".repeat(10);
    for (int i = 0; i < 2048; i++) {
      big.add(text + i);
    }
    Future<Embeddings> first = client.embed(request(big));
    Future<Embeddings> second = client.embed(request("small"));
    Throwable refused = second.transform(ar -> Future.succeededFuture(ar.cause())).await(30, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(first.await(60, TimeUnit.SECONDS).inputs()).isEqualTo(2048);
    assertThat(embed(request("after")).inputs()).as("the slot is free again").isEqualTo(1);
  }

  @Test
  @DisplayName("requests, inputs and tokens are counted per configured embedding model")
  void metrics() throws Exception {
    embed(request(new JsonArray().add("one two").add("three")));
    embed(new JsonObject().put("model", "small-embed").put("input", new JsonArray().add(1).add(2).add(3)));
    refusal(request("x").put("model", "not-a-model"));
    assertThat(registry.get("agentloop_llm_embedding_requests").tag("model", "mock-embed").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("agentloop_llm_embedding_inputs").tag("model", "mock-embed").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("agentloop_llm_embedding_tokens").tag("model", "mock-embed").counter().count())
        .isEqualTo(3);
    assertThat(registry.get("agentloop_llm_embedding_tokens").tag("model", "small-embed").counter().count())
        .isEqualTo(3);
    assertThat(registry.find("agentloop_llm_embedding_requests").counters()).hasSize(2);
  }
}
