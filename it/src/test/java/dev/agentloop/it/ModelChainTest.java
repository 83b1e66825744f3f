package dev.agentloop.it;

import dev.agentloop.contract.stream.Delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.contract.stream.StreamProtocol;
import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.llm.LlmVerticle;
import dev.agentloop.llm.LlmMetrics;
import dev.agentloop.contract.node.Node;
import dev.agentloop.app.AgentloopSettings;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The one model chain as every caller sees it: chat (plain and streamed), fan-out, jobs and agent
 * runs all go through it, against a counting llm-service on the event bus.
 */
class ModelChainTest {

  private static final int MAX_ATTEMPTS = 3;
  @AutoClose
  private static TestApp app;
  private static MeterRegistry registry;
  private static final CountingLlm LLM = new CountingLlm();

  @BeforeAll
  static void start() throws Exception {
    JsonObject noBreaker = new JsonObject().put("enabled", false);
    app = TestApp.start(new JsonObject().put("services", new JsonArray().add("gateway").add("storage"))
        .put("gateway", new JsonObject()
            .put("resilience", new JsonObject().put("breaker", noBreaker).put("retries", new JsonObject()
                .put("max_attempts", MAX_ATTEMPTS).put("base_delay_ms", 1).put("max_delay_ms", 5)))
            .put("models", new JsonObject().put("always-503", new JsonObject()
                .put("fallbacks", new JsonArray().add("spare-503")))
                .put("spent-503", new JsonObject().put("fallbacks", new JsonArray().add("spare-503"))
                    .put("retries", new JsonObject().put("budget_ms", 0))))));
    registry = app.registry();
    app.vertx().deployVerticle(LLM).await(10, TimeUnit.SECONDS);
  }

  private static double retries(String reason) {
    return registry.find("agentloop_retries").tag("reason", reason).counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  @Test
  @DisplayName("a model failing 503 while llm instances keep leaving costs max_attempts generations per model, on every route")
  void attempts_never_multiply() {
    // always-503 falls back to spare-503, which fails too: MAX_ATTEMPTS for each, never 3x3
    int perRequest = 2 * MAX_ATTEMPTS;
    int before = LLM.generations.get();
    HttpResponse<String> plain = Http.post(app.gatewayUrl() + "/v1/chat/completions", Http.chat("always-503", "hi"));
    assertThat(plain.statusCode()).isEqualTo(503);
    assertThat(LLM.generations.get() - before).as("plain chat").isEqualTo(perRequest);

    before = LLM.generations.get();
    HttpResponse<String> streamed = Http.post(app.gatewayUrl() + "/v1/chat/completions",
        Http.chat("always-503", "hi").put("stream", true));
    assertThat(streamed.statusCode()).isEqualTo(503);
    assertThat(LLM.generations.get() - before).as("streamed chat").isEqualTo(perRequest);

    before = LLM.generations.get();
    HttpResponse<String> fanout = Http.post(app.gatewayUrl() + "/v1/chat/fanout", new JsonObject()
        .put("models", new JsonArray().add("always-503")).put("messages", Http.chat("x", "hi").getJsonArray("messages")));
    assertThat(fanout.statusCode()).as(fanout.body()).isEqualTo(200);
    assertThat(LLM.generations.get() - before).as("fan-out").isEqualTo(perRequest);

    before = LLM.generations.get();
    JsonObject job = Jobs.create(app.gatewayUrl(), Jobs.batch("always-503", 1, 1));
    JsonObject finished = Jobs.awaitFinished(app.gatewayUrl(), job.getString("id"), Duration.ofSeconds(30));
    assertThat(finished.getJsonArray("results").getJsonObject(0).getInteger("status_code")).isEqualTo(503);
    assertThat(LLM.generations.get() - before).as("job item").isEqualTo(perRequest);

    before = LLM.generations.get();
    HttpResponse<String> run = Http.post(app.gatewayUrl() + "/v1/agent/runs",
        new JsonObject().put("model", "always-503").put("input", "What is 2+2?"));
    assertThat(run.statusCode()).as(run.body()).isEqualTo(503);
    assertThat(LLM.generations.get() - before).as("agent run").isEqualTo(perRequest);
  }

  @Test
  @DisplayName("budget_ms bounds the whole sequence: with none left after the first try, no retry and no fallback start")
  void the_budget_bounds_the_whole_sequence() {
    int before = LLM.generations.get();
    HttpResponse<String> plain = Http.post(app.gatewayUrl() + "/v1/chat/completions", Http.chat("spent-503", "hi"));
    assertThat(plain.statusCode()).isEqualTo(503);
    assertThat(ChatCompletionsTest.errorOf(plain).getString("message")).contains("spent-503");
    assertThat(LLM.generations.get() - before).isEqualTo(1);
  }

  @Test
  @DisplayName("an agent run and a job item are retried when their generation was on a lost member")
  void agent_runs_and_jobs_get_the_member_loss_retry() {
    double retriedBefore = retries("member_lost");
    HttpResponse<String> run = Http.post(app.gatewayUrl() + "/v1/agent/runs",
        new JsonObject().put("model", "lost-once").put("input", "What is 2+2?"));
    assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
    assertThat(Http.json(run).getString("status")).isEqualTo("completed");
    assertThat(retries("member_lost")).as("plan and answer each retried once").isEqualTo(retriedBefore + 2);

    JsonObject job = Jobs.create(app.gatewayUrl(), Jobs.batch("lost-once", 2, 2));
    JsonObject finished = Jobs.awaitFinished(app.gatewayUrl(), job.getString("id"), Duration.ofSeconds(30));
    assertThat(finished.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")))
        .containsExactly("ok", "ok");
    assertThat(retries("member_lost")).isEqualTo(retriedBefore + 4);
  }

  @Test
  @DisplayName("with no llm instance yet, an agent run, a job item and a chat wait out NO_HANDLERS and answer once one is deployed")
  void agent_runs_and_jobs_get_the_no_instance_retry() throws Exception {
    try (TestApp bare = TestApp.start(new JsonObject().put("services", new JsonArray().add("gateway").add("storage"))
        .put("gateway", new JsonObject().put("resilience", new JsonObject().put("retries", new JsonObject()
            .put("max_attempts", 50).put("base_delay_ms", 200).put("max_delay_ms", 200).put("budget_ms", 60_000)))))) {
      MeterRegistry metrics = bare.registry();
      CompletableFuture<HttpResponse<String>> run = Http.client().sendAsync(HttpRequest.newBuilder(
              URI.create(bare.gatewayUrl() + "/v1/agent/runs")).timeout(Duration.ofSeconds(60))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", "mock-fast")
              .put("input", "What is 2+2?").encode())).build(), HttpResponse.BodyHandlers.ofString());
      JsonObject job = Jobs.create(bare.gatewayUrl(), Jobs.batch("mock-fast", 1, 1));
      CompletableFuture<HttpResponse<String>> chat = Http.client().sendAsync(HttpRequest.newBuilder(
              URI.create(bare.gatewayUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Http.chat("mock-fast", "hi").put("stream", true).encode())).build(),
          HttpResponse.BodyHandlers.ofString());
      Await.until("the agent run, the job item and the chat each failed once with no instance", Duration.ofSeconds(30),
          () -> metrics.find("agentloop_retries").tag("reason", "no_handlers").counters().stream()
              .mapToDouble(Counter::count).sum() >= 3);
      Node node = bare.app().node();
      AgentloopSettings settings = bare.app().settings();
      bare.vertx().deployVerticle(() -> new LlmVerticle(settings.llm(), settings.front().limits().maxTokensLimit(),
              settings.process().shutdownGraceMs(), node, new LlmMetrics(node.registry(), node.id())),
          new DeploymentOptions()).await(30, TimeUnit.SECONDS);

      HttpResponse<String> ran = run.get(60, TimeUnit.SECONDS);
      assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
      assertThat(Http.json(ran).getString("status")).isEqualTo("completed");
      JsonObject finished = Jobs.awaitFinished(bare.gatewayUrl(), job.getString("id"), Duration.ofSeconds(60));
      assertThat(finished.getJsonArray("results").getJsonObject(0).getString("status")).isEqualTo("ok");
      HttpResponse<String> chatted = chat.get(60, TimeUnit.SECONDS);
      assertThat(chatted.statusCode()).isEqualTo(200);
      assertThat(Sse.parse(chatted.body()).done()).isTrue();
    }
  }

  @Test
  @DisplayName("a retired gateway.retry key fails the start with a message naming the key that replaced it")
  void a_retired_retry_key_fails_the_start() {
    assertThatThrownBy(() -> TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("retry", new JsonObject().put("max_attempts", 2)))))
        .hasMessageContaining("gateway.retry.max_attempts is no longer supported: use gateway.resilience.retries.max_attempts");
  }

  /**
   * An llm-service that counts the generations it is asked for. {@code always-503} and
   * {@code spare-503} fail with the model's 503 after announcing (as a leaving instance does) that an
   * llm instance leaves; {@code spent-503} fails with the model's 503; {@code lost-once} fails each
   * request's first attempt with the member-lost reason; anything else answers.
   */
  private static final class CountingLlm extends VerticleBase {
    final AtomicInteger generations = new AtomicInteger();
    private final Set<String> lostOnce = ConcurrentHashMap.newKeySet();

    @Override
    public Future<?> start() {
      return vertx.eventBus().<JsonObject>consumer(Addresses.LLM_STREAM, this::generate).completion();
    }

    private void generate(Message<JsonObject> message) {
      generations.incrementAndGet();
      String model = message.body().getString("model");
      String id = message.body().getString("id");
      if (model.endsWith("-503")) {
        if (!model.startsWith("spent")) {
          vertx.eventBus().publish(Addresses.LLM_LEAVING, new JsonObject().put("node", "counting"));
        }
        ApiException.modelUnavailable("The model `" + model + "` failed to answer.").failReply(message);
      } else if ("lost-once".equals(model) && lostOnce.add(id.split("~")[0])) {
        ApiException.timeout("The instance went away.").withReason(ApiException.Reason.MEMBER_LOST).failReply(message);
      } else {
        message.reply(StreamProtocol.lastBatch(List.of(new Delta.Text("4")), "stop", new JsonObject()));
      }
    }
  }
}
