package dev.agentloop.llm;

import dev.agentloop.contract.stream.Delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.LlmClient;
import dev.agentloop.contract.stream.StreamProtocol;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.TokenStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The token-stream protocol between a consumer and the llm-service, over a real event bus. */
class TokenStreamProtocolTest {

  private static final int MAX_BATCH = 8;
  private static final StreamTimeouts DEFAULT_TIMEOUTS =
      StreamTimeouts.from(Settings.root(ConfigLoader.defaults()).section("gateway").section("timeouts"));
  private Vertx vertx;
  private JsonObject config;
  private MeterRegistry registry;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    JsonArray models = new JsonArray()
        .add(new JsonObject().put("id", "fast").put("tokens", 16))
        .add(new JsonObject().put("id", "paced").put("per_token_ms", 20).put("tokens", 1000))
        .add(new JsonObject().put("id", "late").put("first_token_ms", 5000).put("tokens", 4))
        .add(new JsonObject().put("id", "broken").put("failure_rate", 1.0));
    config = ConfigLoader.merge(ConfigLoader.defaults(), new JsonObject()
        .put("llm", new JsonObject().put("models", models).put("http_port", 0)
            .put("stream", new JsonObject().put("max_batch_tokens", MAX_BATCH).put("ack_timeout_ms", 500))));
    registry = new SimpleMeterRegistry();
    Node node = Node.standalone("protocol-test", registry);
    LlmConfig llm = LlmConfig.from(Settings.root(config).section("llm"));
    int maxTokens = HttpLimits.from(Settings.root(config).section("gateway")).maxTokensLimit();
    LlmMetrics metrics = new LlmMetrics(registry, node.id());
    vertx.deployVerticle(() -> new LlmVerticle(llm, maxTokens, 5_000, node, metrics),
        new DeploymentOptions().setInstances(1)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject request(String model, Integer maxTokens) {
    return new ChatRequest(UUID.randomUUID().toString(), model,
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "stream please")), maxTokens, true, false)
        .toBus();
  }

  private Future<TokenStream> open(JsonObject request, StreamTimeouts timeouts) {
    Promise<TokenStream> opened = Promise.promise();
    vertx.runOnContext(v -> TokenStream.open(vertx, Addresses.LLM_STREAM, Addresses.LLM_CANCEL, request, timeouts, "llm")
        .onComplete(opened));
    return opened.future();
  }

  private String completeOverBus(JsonObject request) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.LLM_COMPLETE, request).await(10, TimeUnit.SECONDS)
        .body().getString("content");
  }

  /** Waits until the llm verticle has handled everything sent to it before: a ping on its own loop. */
  private void barrier() throws Exception {
    vertx.eventBus().request(Addresses.LLM_PING, new JsonObject()).await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("tokens arrive in order, exactly once, through pauses and resumes, and equal the whole completion")
  void ordered_exactly_once() throws Exception {
    JsonObject request = request("fast", 3000);
    CompletableFuture<String> streamed = new CompletableFuture<>();
    AtomicInteger batches = new AtomicInteger();
    TokenStream stream = open(request, DEFAULT_TIMEOUTS).await(10, TimeUnit.SECONDS);
    StringBuilder text = new StringBuilder();
    vertx.runOnContext(v -> stream.handler(delta -> text.append(((Delta.Text) delta).text()))
        .batchEndHandler(end -> {
          if (batches.incrementAndGet() % 3 == 0) {
            stream.pause();
            vertx.setTimer(1, t -> stream.resume());
          }
        })
        .endHandler(end -> streamed.complete(text.toString()))
        .exceptionHandler(streamed::completeExceptionally));
    String all = streamed.get(20, TimeUnit.SECONDS);
    assertThat(all).isEqualTo(completeOverBus(request.put("id", "other")));
    assertThat(all.split(" ")).hasSize(3000);
    assertThat(batches.get()).isGreaterThan(3000 / MAX_BATCH - 1);
  }

  @Test
  @DisplayName("a consumer that withholds its ack stops the producer after one buffer of tokens; resuming finishes the stream")
  void back_pressure_bounds_the_producer() throws Exception {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    AtomicInteger received = new AtomicInteger();
    TokenStream stream = open(request("fast", 10_000), DEFAULT_TIMEOUTS).await(10, TimeUnit.SECONDS);
    vertx.runOnContext(v -> {
      stream.pause();
      stream.handler(delta -> received.incrementAndGet())
          .endHandler(end -> done.complete(stream.streamEnd().usage().getInteger("completion_tokens")))
          .exceptionHandler(done::completeExceptionally)
          .fetch(MAX_BATCH); // the first batch, then nothing: its ack is withheld
    });
    barrier();
    barrier();
    // one batch in flight (received, not acknowledged) and one buffer of tokens: then the model waits
    double generated = generated("fast");
    assertThat(generated).isGreaterThan(MAX_BATCH).isLessThanOrEqualTo(2 * MAX_BATCH);
    assertThat(received.get()).isEqualTo(MAX_BATCH);
    vertx.runOnContext(v -> stream.resume());
    assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(10_000);
    assertThat(received.get()).isEqualTo(10_000);
  }

  @Test
  @DisplayName("cancelling a running stream stops its generation and frees its timer")
  void cancel_stops_generation() throws Exception {
    TokenStream stream = open(request("paced", null), DEFAULT_TIMEOUTS).await(10, TimeUnit.SECONDS);
    AtomicInteger received = new AtomicInteger();
    vertx.runOnContext(v -> stream.handler(delta -> {
      if (received.incrementAndGet() >= 3) {
        stream.cancel();
      }
    }));
    await("cancelled", () -> outcome("paced", "cancelled") == 1);
    await("no generation running", () -> active() == 0);
    assertThat(generated("paced")).isLessThan(1000);
  }

  @Test
  @DisplayName("a cancel published while the model has not produced its first token stops it at once")
  void cancel_before_first_token() throws Exception {
    JsonObject request = request("late", null);
    Future<TokenStream> opening = open(request, DEFAULT_TIMEOUTS);
    await("generation started", () -> active() == 1);
    new LlmClient(vertx, m -> DEFAULT_TIMEOUTS).cancel(request.getString("id"));
    await("cancelled", () -> outcome("late", "cancelled") == 1);
    assertThat(active()).isZero();
    assertThat(opening.isComplete()).isFalse();
  }

  @Test
  @DisplayName("a producer that stalls fails the consumer with a 504 after the stall timeout")
  void stalled_producer() throws Exception {
    vertx.eventBus().<JsonObject>consumer("test.stalling", msg ->
        msg.replyAndRequest(StreamProtocol.batch(List.of(Delta.text("one"))))); // and never answers the ack
    TokenStream stream = TokenStreamProtocolTest.this.openAt("test.stalling", new StreamTimeouts(1000, 200, 60_000));
    CompletableFuture<ApiException> failure = new CompletableFuture<>();
    List<String> tokens = new ArrayList<>();
    vertx.runOnContext(v -> stream.handler(delta -> tokens.add(((Delta.Text) delta).text()))
        .exceptionHandler(error -> failure.complete((ApiException) error))
        .endHandler(end -> failure.completeExceptionally(new AssertionError("ended"))));
    ApiException error = failure.get(10, TimeUnit.SECONDS);
    assertThat(error.status()).isEqualTo(504);
    assertThat(tokens).containsExactly("one");
  }

  @Test
  @DisplayName("a consumer that vanishes without a word is dropped after the ack timeout and its generation stops")
  void vanished_consumer() throws Exception {
    Message<Object> first = vertx.eventBus().request(Addresses.LLM_STREAM, request("paced", null))
        .await(10, TimeUnit.SECONDS);
    assertThat(((JsonObject) first.body()).getJsonArray(StreamProtocol.DELTAS)).hasSize(1); // paced: each token leaves alone
    await("cancelled after the ack timeout", () -> outcome("paced", "cancelled") == 1);
    assertThat(active()).isZero();
  }

  @Test
  @DisplayName("each stream ends with exactly one terminal: an end, or an error for a failing model")
  void exactly_one_terminal() throws Exception {
    AtomicInteger ends = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    TokenStream ok = open(request("fast", null), DEFAULT_TIMEOUTS).await(10, TimeUnit.SECONDS);
    CompletableFuture<Void> finished = new CompletableFuture<>();
    vertx.runOnContext(v -> ok.endHandler(end -> {
      ends.incrementAndGet();
      finished.complete(null);
    }).exceptionHandler(e -> errors.incrementAndGet()).handler(delta -> { }));
    finished.get(10, TimeUnit.SECONDS);
    barrier();
    assertThat(ends.get()).isEqualTo(1);
    assertThat(errors.get()).isZero();
    assertThatThrownBy(() -> open(request("broken", null), DEFAULT_TIMEOUTS).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  @Test
  @DisplayName("malformed event-bus messages get failure replies and the service keeps serving")
  void malformed_messages() throws Exception {
    List<Object> bad = List.of("not json", new JsonObject(), new JsonObject().put("model", 3),
        new JsonObject().put("model", "fast").put("messages", "hi"),
        new JsonObject().put("model", "fast").put("messages", new JsonArray().add(1)),
        new JsonObject().put("model", "fast").put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "x"))).put("max_tokens", -4),
        new JsonObject().put("model", "fast").put("id", 5).put("messages", new JsonArray()));
    for (String address : List.of(Addresses.LLM_STREAM, Addresses.LLM_COMPLETE)) {
      for (Object body : bad) {
        assertThatThrownBy(() -> vertx.eventBus().request(address, body).await(5, TimeUnit.SECONDS))
            .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
      }
      assertThatThrownBy(() -> vertx.eventBus().request(address, request("nope", null)).await(5, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(404));
    }
    assertThat(completeOverBus(request("fast", 4)).split(" ")).hasSize(4);
  }

  private TokenStream openAt(String address, StreamTimeouts timeouts) throws Exception {
    Promise<TokenStream> opened = Promise.promise();
    vertx.runOnContext(v -> TokenStream.open(vertx, address, null, request("fast", null), timeouts, "test")
        .onComplete(opened));
    return opened.future().await(10, TimeUnit.SECONDS);
  }

  private double generated(String model) {
    Counter counter = registry.find("agentloop_llm_tokens_generated").tag("model", model).counter();
    return counter == null ? 0 : counter.count();
  }

  private double outcome(String model, String outcome) {
    Counter counter = registry.find("agentloop_llm_generations").tags("model", model, "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private double active() {
    return registry.get("agentloop_llm_generations_active").gauge().value();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  @DisplayName("a verticle built from its settings records reads nothing from config(): its node, models and metrics are its own")
  void verticle_built_from_records() throws Exception {
    Vertx other = Vertx.vertx();
    try {
      MeterRegistry otherRegistry = new SimpleMeterRegistry();
      Node node = Node.standalone("node-b", otherRegistry);
      JsonObject tree = ConfigLoader.defaults();
      tree.getJsonObject("llm").put("models", new JsonArray().add(new JsonObject().put("id", "only").put("tokens", 3)));
      LlmConfig llm = LlmConfig.from(Settings.root(tree).section("llm"));
      // a config() that no verticle could parse: the records are all it uses
      other.deployVerticle(() -> new LlmVerticle(llm, 1000, 1_000, node, new LlmMetrics(otherRegistry, node.id())),
          new DeploymentOptions().setConfig(new JsonObject().put("llm", "not a mapping"))).await(10, TimeUnit.SECONDS);
      JsonObject ping = other.eventBus().<JsonObject>request(Addresses.LLM_PING, new JsonObject())
          .await(10, TimeUnit.SECONDS).body();
      assertThat(ping.getString("node")).isEqualTo("node-b");
      assertThat(ping.getInteger("models")).isEqualTo(1);
      assertThat(otherRegistry.get("agentloop_llm_generations_active").tag("node", "node-b").gauge()).isNotNull();
      assertThat(registry.find("agentloop_llm_generations_active").tag("node", "node-b").gauge()).isNull();
    } finally {
      other.close().await(10, TimeUnit.SECONDS);
    }
  }
}
