package dev.agentloop.gateway.chain;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.NodeState;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.stream.TokenStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Retries a chat request on another llm-service instance when it failed before any byte reached
 * the client, and only for failures that are safe to repeat: no instance registered (503), the
 * instance unreachable (connection error, 503), a 503 from the model itself, or a timeout while a
 * cluster member was lost (the request was most likely on the member that died). A plain completion is retried
 * as a whole; a stream only while it is being opened, before its first token.
 *
 * <p>Each attempt runs under its own id ({@code <id>}, {@code <id>-retry1}, ...), so a late cancel of
 * a failed attempt never stops the next one. One instance per verticle: its state is confined to
 * that verticle's event loop.
 */
public final class RetryingChatService implements ChatService {

  /**
   * How often to try and how long to wait between tries (doubling). With {@code onlyAfterMemberLoss},
   * failures are retried only when a cluster member was lost meanwhile: the gateway's resilience
   * chain above this layer already retries 503s with its own budget.
   */
  public record Policy(int maxAttempts, long backoffMs, boolean onlyAfterMemberLoss) {
    public Policy(int maxAttempts, long backoffMs) {
      this(maxAttempts, backoffMs, false);
    }

    public static Policy from(Settings gateway) {
      Settings retry = gateway.section("retry");
      return new Policy(retry.integer("max_attempts", 3, 1, 10), retry.integer("backoff_ms", 50, 0, 10_000));
    }

    public Policy memberLossOnly() {
      return new Policy(maxAttempts, backoffMs, true);
    }
  }

  /**
   * A member that left this long before an attempt started still counts: the event bus forgets a
   * lost member's consumers a little after Hazelcast reports the loss, and may route to it meanwhile.
   */
  private static final long MEMBER_LOSS_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Vertx vertx;
  private final NodeState node;
  private final ChatService delegate;
  private final Policy policy;
  private final Map<String, String> currentAttempt = new HashMap<>();
  private final Counter retriedUnavailable;
  private final Counter retriedMemberLost;

  public RetryingChatService(Vertx vertx, ChatService delegate, Policy policy, MeterRegistry registry, NodeState node) {
    this.vertx = vertx;
    this.node = node;
    this.delegate = delegate;
    this.policy = policy;
    this.retriedUnavailable = retries(registry, "unavailable");
    this.retriedMemberLost = retries(registry, "member_lost");
  }

  private static Counter retries(MeterRegistry registry, String reason) {
    return Counter.builder("agentloop_chat_retries")
        .description("Chat attempts retried on another llm-service instance, by reason").tag("reason", reason)
        .register(registry);
  }

  @Override
  public Future<TokenStream> stream(ChatRequest request) {
    return withRetries(request, delegate::stream);
  }

  @Override
  public Future<Completion> complete(ChatRequest request) {
    return withRetries(request, delegate::complete);
  }

  @Override
  public void cancel(String requestId) {
    String attempt = currentAttempt.remove(requestId);
    delegate.cancel(attempt != null ? attempt : requestId);
  }

  @Override
  public Future<JsonArray> models() {
    return delegate.models();
  }

  /** How long a clustered timeout waits for the cluster to report a lost member (its heartbeat limit is 5 s). */
  static final long MEMBER_LOSS_WAIT_MS = 4_000;
  private static final long MEMBER_LOSS_POLL_MS = 100;

  private <T> Future<T> withRetries(ChatRequest request, Function<ChatRequest, Future<T>> call) {
    currentAttempt.put(request.id(), request.id());
    return attempt(request, call, 1).onComplete(ar -> currentAttempt.remove(request.id()));
  }

  private <T> Future<T> attempt(ChatRequest request, Function<ChatRequest, Future<T>> call, int attempt) {
    String attemptId = attempt == 1 ? request.id() : request.id() + "-retry" + (attempt - 1);
    long startedNanos = System.nanoTime();
    return call.apply(request.withId(attemptId)).recover(failure -> {
      int status = ApiException.from(failure, "llm-service").status();
      return memberLostSince(startedNanos, status == 504 && vertx.isClustered() ? MEMBER_LOSS_WAIT_MS : 0)
          .compose(memberLost -> retryOrFail(request, call, attempt, failure, status, memberLost));
    });
  }

  /**
   * A producer killed mid-answer shows up as a stall timeout at about the time the cluster detects
   * the loss, often a little before: a clustered 504 waits (on a timer) up to {@code waitMs} for a
   * member loss before it is taken as the model's own timeout.
   */
  private Future<Boolean> memberLostSince(long startedNanos, long waitMs) {
    long since = startedNanos - MEMBER_LOSS_WINDOW_NANOS;
    if (waitMs <= 0 || node.memberLeftSince(since)) {
      return Future.succeededFuture(node.memberLeftSince(since));
    }
    Promise<Boolean> lost = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    vertx.setPeriodic(MEMBER_LOSS_POLL_MS, id -> {
      boolean left = node.memberLeftSince(since);
      if (left || System.nanoTime() >= deadline) {
        vertx.cancelTimer(id);
        lost.tryComplete(left);
      }
    });
    return lost.future();
  }

  private <T> Future<T> retryOrFail(ChatRequest request, Function<ChatRequest, Future<T>> call, int attempt,
      Throwable failure, int status, boolean memberLost) {
    if (attempt >= policy.maxAttempts() || !retryable(status, memberLost)
        || policy.onlyAfterMemberLoss() && !memberLost
        || !currentAttempt.containsKey(request.id())) { // the client went away meanwhile
      return Future.failedFuture(failure);
    }
    (status == 503 ? retriedUnavailable : retriedMemberLost).increment();
    currentAttempt.put(request.id(), request.id() + "-retry" + attempt);
    return delay(policy.backoffMs() << (attempt - 1)).compose(v -> attempt(request, call, attempt + 1));
  }

  /** 503: no instance, unreachable instance, or the model's own 503. 504: only if a member was lost meanwhile. */
  static boolean retryable(int status, boolean memberLost) {
    return status == 503 || (status == 504 && memberLost);
  }

  private Future<Void> delay(long millis) {
    if (millis <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    vertx.setTimer(millis, t -> done.complete());
    return done.future();
  }
}
