package dev.agentloop.gateway;

import dev.agentloop.gateway.chain.RetryingChatService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.node.NodeState;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.stream.TokenStream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's retry decorator against a scripted model side: what it retries, how often, under which ids. */
class RetryingChatServiceTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final NodeState node = new NodeState();
  private final Scripted model = new Scripted();
  private final RetryingChatService retrying =
      new RetryingChatService(vertx, model, new RetryingChatService.Policy(3, 1), registry, node);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static ChatRequest request() {
    return ChatRequest.fromHttp(new JsonObject().put("model", "mock-fast").put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))), "chatcmpl-1",
        HttpLimits.from(Settings.root(ConfigLoader.defaults()).section("gateway")));
  }

  /** Runs the decorator on an event loop, as the gateway does, and waits here for its answer. */
  private Completion complete() throws Exception {
    Promise<Completion> result = Promise.promise();
    vertx.runOnContext(v -> retrying.complete(request()).onComplete(result));
    return result.future().await(10, TimeUnit.SECONDS);
  }

  private static Completion answer() {
    return new Completion("mock-fast", "hello", "stop", new JsonObject());
  }

  private double retries(String reason) {
    return registry.find("agentloop_chat_retries").tag("reason", reason).counter().count();
  }

  @Test
  void no_handlers_and_connection_errors_and_model_503s_are_retried_under_fresh_attempt_ids() throws Exception {
    model.answers.add(() -> Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "none")));
    model.answers.add(() -> Future.failedFuture(ApiException.unavailable("The model failed (simulated).")));
    model.answers.add(() -> Future.succeededFuture(answer()));

    assertThat(complete().content()).isEqualTo("hello");
    assertThat(model.ids).containsExactly("chatcmpl-1", "chatcmpl-1-retry1", "chatcmpl-1-retry2");
    assertThat(retries("unavailable")).isEqualTo(2);
  }

  @Test
  void attempts_are_bounded_and_the_last_failure_reaches_the_client() {
    for (int i = 0; i < 5; i++) {
      model.answers.add(() -> Future.failedFuture(ApiException.unavailable("still down")));
    }
    assertThatThrownBy(this::complete).hasMessageContaining("still down");
    assertThat(model.ids).hasSize(3);
  }

  @Test
  void bad_requests_and_plain_timeouts_are_not_retried() {
    model.answers.add(() -> Future.failedFuture(ApiException.modelNotFound("nope")));
    assertThatThrownBy(this::complete).hasMessageContaining("nope");
    model.answers.clear();
    model.answers.add(() -> Future.failedFuture(ApiException.timeout("slow model")));
    assertThatThrownBy(this::complete).hasMessageContaining("slow model");
    assertThat(model.ids).hasSize(2);
  }

  @Test
  void a_timeout_while_a_cluster_member_was_lost_is_retried() throws Exception {
    model.answers.add(() -> {
      node.memberLeft();
      return Future.failedFuture(ApiException.timeout("no first token"));
    });
    model.answers.add(() -> Future.succeededFuture(answer()));
    assertThat(complete().content()).isEqualTo("hello");
    assertThat(retries("member_lost")).isEqualTo(1);
  }

  @Test
  void in_member_loss_only_mode_a_503_without_a_lost_member_is_left_to_the_layer_above() throws Exception {
    RetryingChatService memberLossOnly = new RetryingChatService(vertx, model,
        new RetryingChatService.Policy(3, 1).memberLossOnly(), registry, node);
    model.answers.add(() -> Future.failedFuture(ApiException.unavailable("down")));
    Promise<Completion> plain = Promise.promise();
    vertx.runOnContext(v -> memberLossOnly.complete(request()).onComplete(plain));
    assertThatThrownBy(() -> plain.future().await(5, java.util.concurrent.TimeUnit.SECONDS)).hasMessageContaining("down");
    model.answers.add(() -> {
      node.memberLeft();
      return Future.failedFuture(ApiException.unavailable("gone with its member"));
    });
    model.answers.add(() -> Future.succeededFuture(answer()));
    Promise<Completion> retried = Promise.promise();
    vertx.runOnContext(v -> memberLossOnly.complete(request()).onComplete(retried));
    assertThat(retried.future().await(5, java.util.concurrent.TimeUnit.SECONDS).content()).isEqualTo("hello");
    assertThat(model.ids).hasSize(3);
  }

  @Test
  void a_cancel_reaches_the_current_attempt_and_stops_further_retries() throws Exception {
    Promise<Completion> hanging = Promise.promise();
    model.answers.add(() -> Future.failedFuture(ApiException.unavailable("down")));
    model.answers.add(hanging::future);
    Promise<Completion> result = Promise.promise();
    vertx.runOnContext(v -> retrying.complete(request()).onComplete(result));
    waitFor(() -> model.ids.size() == 2);
    vertx.runOnContext(v -> {
      retrying.cancel("chatcmpl-1");
      hanging.fail(ApiException.unavailable("cancelled"));
    });
    assertThatThrownBy(() -> result.future().await(10, TimeUnit.SECONDS)).hasMessageContaining("cancelled");
    assertThat(model.cancelled).containsExactly("chatcmpl-1-retry1");
    assertThat(model.ids).hasSize(2);
  }

  private static void waitFor(Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.get()) {
      assertThat(System.nanoTime()).as("condition met in time").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /** Answers each call with the next scripted result and records the ids it saw. */
  private static final class Scripted implements ChatService {
    final Deque<Supplier<Future<Completion>>> answers = new ArrayDeque<>();
    final List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> cancelled = new ArrayList<>();

    @Override
    public Future<TokenStream> stream(ChatRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Completion> complete(ChatRequest request) {
      ids.add(request.id());
      return answers.poll().get();
    }

    @Override
    public void cancel(String requestId) {
      cancelled.add(requestId);
    }

    @Override
    public Future<JsonArray> models() {
      return Future.succeededFuture(new JsonArray());
    }
  }
}
