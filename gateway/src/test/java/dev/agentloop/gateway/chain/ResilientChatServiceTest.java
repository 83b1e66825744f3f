package dev.agentloop.gateway.chain;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.NodeState;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.stream.StreamProtocol;
import dev.agentloop.contract.stream.TokenStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.stream.StreamTimeouts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The model chain against a scripted llm-service on the event bus: what it retries, how often,
 * under which generation ids, within which budget, and how a cancel reaches the running attempt.
 */
class ResilientChatServiceTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final ScriptedLlm llm = new ScriptedLlm();
  private final NodeState node = new NodeState();
  private MeterRegistry registry;
  private ResilientChatService chain;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A chain built by the one factory, on its own context, with {@code gateway} merged over the defaults. */
  private void chain(JsonObject gateway) throws Exception {
    JsonObject config = ConfigLoader.merge(ConfigLoader.defaults(), new JsonObject().put("gateway", gateway));
    registry = new SimpleMeterRegistry();
    StreamTimeouts timeouts = StreamTimeouts.from(Settings.root(config).section("gateway").section("timeouts"));
    Breakers breakers = new Breakers(registry, ResilienceConfig.from(Settings.root(config).section("gateway")));
    Promise<Void> ready = Promise.promise();
    context.runOnContext(v -> {
      chain = ResilientChatService.create(vertx, model -> timeouts, breakers, node);
      chain.ready().onComplete(ready);
    });
    ready.future().await(10, TimeUnit.SECONDS);
  }

  private void chain(int maxAttempts, int delayMs) throws Exception {
    chain(new JsonObject().put("resilience", new JsonObject().put("retries", new JsonObject()
        .put("max_attempts", maxAttempts).put("base_delay_ms", delayMs).put("max_delay_ms", delayMs))));
  }

  /** Three attempts 1 ms apart, with the scripted model already listening. */
  private void listeningChain() throws Exception {
    chain(3, 1);
    llm.listen(vertx);
  }

  /** The scripted model's next call fails with {@code failure}, the one after answers. */
  private void failsOnceThenAnswers(ApiException failure) {
    llm.script.add(ScriptedLlm.fail(failure));
    llm.script.add(ScriptedLlm::answer);
  }

  private static ChatRequest request(String model) {
    return ChatRequest.fromHttp(new JsonObject().put("model", model).put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))), "chatcmpl-1",
        HttpLimits.from(Settings.root(ConfigLoader.defaults()).section("gateway")));
  }

  private <T> Future<T> onContext(Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(result));
    return result.future();
  }

  private Completion complete(String model) throws Exception {
    return onContext(() -> chain.complete(request(model))).await(10, TimeUnit.SECONDS);
  }

  /** A stream through the chain, gathered: its text, or its failure. */
  private String streamed(String model) throws Exception {
    return onContext(() -> chain.stream(request(model)).compose(stream -> {
      return stream.collect(Delta.joinedText());
    })).await(10, TimeUnit.SECONDS);
  }

  private double retries(String reason) {
    return registry.find("agentloop_retries").tag("reason", reason).counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  @Test
  @DisplayName("no instance, then the model's 503, then an answer: retried under the attempt ids <id>~k, counted by reason")
  void no_instance_and_model_503s_are_retried_under_fresh_attempt_ids() throws Exception {
    chain(3, 400);
    failsOnceThenAnswers(ApiException.modelUnavailable("The model failed (simulated)."));
    Future<Completion> answer = onContext(() -> chain.complete(request("mock-fast")));
    waitFor(() -> retries("no_handlers") == 1); // nothing listened: NO_HANDLERS
    llm.listen(vertx);
    assertThat(answer.await(10, TimeUnit.SECONDS).content()).isEqualTo("hello");
    assertThat(llm.ids).containsExactly("chatcmpl-1~2", "chatcmpl-1~3");
    assertThat(retries("upstream_503")).isEqualTo(1);
  }

  @Test
  @DisplayName("attempts are bounded by max_attempts, the first included, and the last failure reaches the caller")
  void attempts_are_bounded_and_the_last_failure_reaches_the_client() throws Exception {
    listeningChain();
    for (int i = 0; i < 5; i++) {
      llm.script.add(ScriptedLlm.fail(ApiException.modelUnavailable("still down")));
    }
    assertThatThrownBy(() -> complete("mock-fast")).hasMessageContaining("still down");
    assertThat(llm.ids).containsExactly("chatcmpl-1", "chatcmpl-1~2", "chatcmpl-1~3");
  }

  @Test
  @DisplayName("a model that always fails with 503 while members keep leaving is tried max_attempts times, never more")
  void attempts_never_multiply_with_member_loss() throws Exception {
    chain(new JsonObject().put("resilience", new JsonObject()
        .put("retries", new JsonObject().put("max_attempts", 4).put("base_delay_ms", 1))
        .put("breaker", new JsonObject().put("enabled", false))));
    llm.listen(vertx);
    for (int i = 0; i < 40; i++) {
      llm.script.add(message -> {
        node.memberLeft();
        ScriptedLlm.fail(ApiException.modelUnavailable("down with its member")).accept(message);
      });
    }
    assertThatThrownBy(() -> complete("mock-fast")).hasMessageContaining("down with its member");
    assertThat(llm.ids).hasSize(4);
    llm.ids.clear();
    assertThatThrownBy(() -> streamed("mock-fast")).hasMessageContaining("down with its member");
    assertThat(llm.ids).hasSize(4);
  }

  @Test
  @DisplayName("a client error and a plain timeout are not retried")
  void bad_requests_and_plain_timeouts_are_not_retried() throws Exception {
    listeningChain();
    llm.script.add(ScriptedLlm.fail(ApiException.modelNotFound("nope")));
    assertThatThrownBy(() -> complete("nope")).hasMessageContaining("nope");
    llm.script.add(ScriptedLlm.fail(ApiException.timeout("slow model")));
    assertThatThrownBy(() -> complete("mock-fast")).hasMessageContaining("slow model");
    assertThat(llm.ids).hasSize(2);
  }

  @Test
  @DisplayName("a timeout after an llm instance announced on agentloop.llm.leaving that it leaves is retried as member_lost")
  void a_timeout_after_an_instance_left_is_retried() throws Exception {
    listeningChain();
    long before = System.nanoTime();
    vertx.eventBus().publish(Addresses.LLM_LEAVING, new JsonObject().put("node", "llm-a"));
    waitFor(() -> node.memberLeftSince(before)); // the chain heard it
    failsOnceThenAnswers(ApiException.timeout("no first token"));
    assertThat(complete("mock-fast").content()).isEqualTo("hello");
    assertThat(retries("member_lost")).isEqualTo(1);
  }

  @Test
  @DisplayName("a failure whose reason, set by the far side, is MEMBER_LOST crosses the bus typed and is retried")
  void a_member_lost_reason_from_the_far_side_is_retried() throws Exception {
    listeningChain();
    failsOnceThenAnswers(ApiException.timeout("cut").withReason(ApiException.Reason.MEMBER_LOST));
    assertThat(complete("mock-fast").content()).isEqualTo("hello");
    assertThat(llm.ids).containsExactly("chatcmpl-1", "chatcmpl-1~2");
    assertThat(retries("member_lost")).isEqualTo(1);
  }

  @Test
  @DisplayName("a stream is retried while it opens, never after its first token; a plain answer cut mid-way is retried whole")
  void streams_retry_only_before_the_first_token_plain_answers_whole() throws Exception {
    listeningChain();
    failsOnceThenAnswers(ApiException.modelUnavailable("not yet"));
    assertThat(streamed("mock-fast")).isEqualTo("hello");
    assertThat(llm.ids).hasSize(2);

    llm.ids.clear();
    llm.script.add(ScriptedLlm::firstTokenThenLost);
    assertThatThrownBy(() -> streamed("mock-fast")).hasMessageContaining("lost mid-answer");
    assertThat(llm.ids).as("a stream that already gave a token").hasSize(1);

    llm.ids.clear();
    llm.script.add(ScriptedLlm::firstTokenThenLost);
    llm.script.add(ScriptedLlm::answer);
    assertThat(complete("mock-fast").content()).isEqualTo("hello");
    assertThat(llm.ids).containsExactly("chatcmpl-1", "chatcmpl-1~2");
  }

  @Test
  @DisplayName("budget_ms bounds the whole sequence: with none left, neither a retry nor a fallback starts")
  void the_budget_bounds_retries_and_fallbacks() throws Exception {
    JsonObject fallingBack = new JsonObject().put("fallbacks", new JsonArray().add("mock-spare"))
        .put("breaker", new JsonObject().put("enabled", false));
    chain(new JsonObject()
        .put("resilience", new JsonObject().put("retries", new JsonObject().put("max_attempts", 5).put("base_delay_ms", 1)))
        .put("models", new JsonObject()
            .put("mock-spent", fallingBack.copy().put("retries", new JsonObject().put("budget_ms", 0)))
            .put("mock-broke", fallingBack.copy())));
    llm.listen(vertx);
    for (int i = 0; i < 20; i++) {
      llm.script.add(ScriptedLlm.fail(ApiException.modelUnavailable("down")));
    }
    assertThatThrownBy(() -> complete("mock-spent")).hasMessageContaining("down");
    assertThat(llm.models).as("budget 0: the first try only").containsExactly("mock-spent");

    llm.models.clear();
    llm.ids.clear();
    assertThatThrownBy(() -> complete("mock-broke")).hasMessageContaining("down");
    assertThat(llm.models).as("with budget: 5 tries, then 5 of the fallback")
        .containsExactly("mock-broke", "mock-broke", "mock-broke", "mock-broke", "mock-broke",
            "mock-spare", "mock-spare", "mock-spare", "mock-spare", "mock-spare");
    assertThat(llm.ids).doesNotHaveDuplicates().contains("chatcmpl-1", "chatcmpl-1~10");
  }

  @Test
  @DisplayName("a cancel reaches the running attempt under its own id and stops further retries")
  void a_cancel_reaches_the_current_attempt_and_stops_further_retries() throws Exception {
    listeningChain();
    llm.script.add(ScriptedLlm.fail(ApiException.modelUnavailable("down")));
    llm.script.add(message -> { }); // holds the request until it is cancelled
    Future<Completion> result = onContext(() -> chain.complete(request("mock-fast")));
    waitFor(() -> llm.ids.size() == 2);
    context.runOnContext(v -> chain.cancel("chatcmpl-1"));
    assertThatThrownBy(() -> result.await(10, TimeUnit.SECONDS)).hasMessageContaining("cancelled");
    // the failed first attempt's own clean-up, then the caller's cancel, under the running attempt's id
    assertThat(llm.cancelled).containsOnly("chatcmpl-1", "chatcmpl-1~2").contains("chatcmpl-1~2");
    assertThat(llm.ids).hasSize(2);
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met in time").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /**
   * An llm-service on the bus that answers each generation request with the next scripted action,
   * recording the generation ids and models it saw and the ids it was told to cancel; a held request
   * fails once it is cancelled, as a real generation stops.
   */
  private static final class ScriptedLlm {
    final Deque<Consumer<Message<JsonObject>>> script = new ArrayDeque<>();
    final List<String> ids = new CopyOnWriteArrayList<>();
    final List<String> models = new CopyOnWriteArrayList<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();
    private final Map<String, Message<JsonObject>> held = new ConcurrentHashMap<>();

    void listen(Vertx vertx) throws Exception {
      MessageConsumer<JsonObject> stream = vertx.eventBus().consumer(Addresses.LLM_STREAM, message -> {
        String id = message.body().getString("id");
        ids.add(id);
        models.add(message.body().getString("model"));
        held.put(id, message);
        Consumer<Message<JsonObject>> next = script.poll();
        if (next != null) {
          next.accept(message);
        } else {
          answer(message);
        }
      });
      MessageConsumer<JsonObject> cancel = vertx.eventBus().consumer(Addresses.LLM_CANCEL, message -> {
        String id = message.body().getString("id");
        cancelled.add(id);
        Message<JsonObject> request = held.remove(id);
        if (request != null) {
          ApiException.modelUnavailable("stopped").failReply(request);
        }
      });
      Future.all(stream.completion(), cancel.completion()).await(10, TimeUnit.SECONDS);
    }

    static Consumer<Message<JsonObject>> fail(ApiException error) {
      return error::failReply;
    }

    static void answer(Message<JsonObject> message) {
      message.reply(StreamProtocol.lastBatch(List.of(new Delta.Text("hel"), new Delta.Text("lo")), "stop", new JsonObject()));
    }

    /** The first token, then (when it is acknowledged) the failure a lost member leaves. */
    static void firstTokenThenLost(Message<JsonObject> message) {
      message.replyAndRequest(StreamProtocol.batch(List.of(new Delta.Text("he")))).onSuccess(ack ->
          ApiException.connectionLost("llm-service", "lost mid-answer").failReply(ack));
    }
  }
}
