package dev.agentloop.gateway.chain;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.NodeState;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.chat.LlmClient;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The gateway's resilience chain around a {@link ChatService}, per request:
 * <ol>
 * <li>the models to try: the one asked for, then its configured fallbacks, in order;</li>
 * <li>per model, its circuit breaker: while open the model is skipped at once with a 503;</li>
 * <li>per model, retries with exponential backoff and jitter, bounded in attempts and in total
 * time, only for failures that are safe to retry (503 from the model, no instance, a lost
 * connection) and only while opening the stream, before any token exists, so a retried stream
 * can never repeat a token.</li>
 * </ol>
 * Every attempt gets its own request id, so the cancel of a failed attempt can never stop the next
 * one; {@link #cancel} maps the caller's id to whatever attempt is running. One instance per
 * verticle instance: its state is confined to that context; the breakers are shared per process.
 */
public final class ResilientChatService implements ChatService {

  private final Vertx vertx;
  private final ChatService delegate;
  private final Breakers breakers;
  private final NodeState node;
  private final Map<String, Call> calls = new HashMap<>();

  public ResilientChatService(Vertx vertx, ChatService delegate, Breakers breakers, NodeState node) {
    this.vertx = vertx;
    this.node = node;
    this.delegate = delegate;
    this.breakers = breakers;
  }

  /**
   * The chain every gateway-side caller uses: the llm-service over the bus with the per-model
   * {@code timeouts}, behind the node's {@code breakers}.
   */
  public static ResilientChatService create(Vertx vertx, Function<String, StreamTimeouts> timeouts, Breakers breakers,
      NodeState node) {
    return new ResilientChatService(vertx, new LlmClient(vertx, timeouts), breakers, node);
  }

  /** The error an open breaker answers with. */
  public static ApiException circuitOpen(String model, long retryAfterMs) {
    return new ApiException(503, "service_unavailable", "circuit_open", null, "The model `" + model
        + "` is failing and its circuit breaker is open; it will be tried again in " + retryAfterMs + " ms.");
  }

  /** What a caller that cancelled its own request sees. */
  public static ApiException cancelled() {
    return new ApiException(499, "cancelled", "cancelled", null, "The request was cancelled.");
  }

  private static final class Call {
    final String id;
    int attempts;
    String attemptId;
    TokenStream stream;
    Promise<Completion> gathering;
    boolean cancelled;

    Call(String id) {
      this.id = id;
    }
  }

  @Override
  public Future<TokenStream> stream(ChatRequest request) {
    ChatRequest withId = request.id() != null ? request : request.withId(UUID.randomUUID().toString());
    Call call = track(withId.id());
    return open(call, withId).onComplete(ar -> calls.remove(call.id, call));
  }

  @Override
  public Future<Completion> complete(ChatRequest request) {
    ChatRequest withId = request.id() != null ? request : request.withId(UUID.randomUUID().toString());
    Call call = track(withId.id());
    return open(call, withId).compose(stream -> gather(call, stream)).onComplete(ar -> calls.remove(call.id, call));
  }

  @Override
  public void cancel(String requestId) {
    Call call = calls.remove(requestId);
    if (call == null) {
      delegate.cancel(requestId);
      return;
    }
    call.cancelled = true;
    if (call.stream != null) {
      call.stream.cancel();
      if (call.gathering != null) {
        call.gathering.tryFail(cancelled());
      }
    } else if (call.attemptId != null) {
      delegate.cancel(call.attemptId);
    }
  }

  @Override
  public Future<JsonArray> models() {
    return delegate.models();
  }

  private Call track(String id) {
    Call call = new Call(id);
    calls.put(id, call);
    return call;
  }

  private Future<TokenStream> open(Call call, ChatRequest request) {
    List<String> models = new ArrayList<>();
    models.add(request.model());
    models.addAll(breakers.config().policy(request.model()).fallbacks());
    return tryModel(call, request, models, 0);
  }

  private Future<TokenStream> tryModel(Call call, ChatRequest request, List<String> models, int index) {
    String model = models.get(index);
    ResilienceConfig.Retries retries = breakers.config().policy(model).retries();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retries.budgetMs());
    return attempt(call, request.withModel(model), retries, deadline, 1).recover(failure -> {
      ApiException error = ApiException.from(failure, "llm-service");
      if (call.cancelled || error.status() < 500 || index + 1 >= models.size()) {
        return Future.failedFuture(error);
      }
      breakers.fellBack(model, models.get(index + 1));
      return tryModel(call, request, models, index + 1);
    });
  }

  private Future<TokenStream> attempt(Call call, ChatRequest request, ResilienceConfig.Retries retries, long deadline,
      int attempt) {
    if (call.cancelled) {
      return Future.failedFuture(cancelled());
    }
    String model = request.model();
    CircuitBreaker breaker = breakers.find(model); // none yet for a model not known to exist
    if (breaker != null && !breaker.tryAcquire()) {
      return Future.failedFuture(circuitOpen(model, breaker.retryAfterMs()));
    }
    call.attempts++;
    call.attemptId = call.attempts == 1 ? call.id : call.id + "~" + call.attempts;
    long attemptStarted = System.nanoTime();
    return delegate.stream(request.withId(call.attemptId)).compose(stream -> {
      record(breakers.known(model), CircuitBreaker::onSuccess);
      if (call.cancelled) {
        stream.cancel();
        return Future.failedFuture(cancelled());
      }
      call.stream = stream;
      return Future.succeededFuture(stream);
    }, failure -> {
      ApiException error = ApiException.from(failure, "llm-service");
      if (saysNothingAboutTheModel(error, attemptStarted)) {
        record(breaker, CircuitBreaker::onNeutral);
      } else if (error.status() >= 500) {
        record(breakers.known(model), CircuitBreaker::onFailure); // the model itself failed: it exists
      } else {
        // the service answered, if only to refuse the request; "no such model" proves nothing exists
        record(breaker, CircuitBreaker::onSuccess);
      }
      String reason = retryReason(error);
      if (reason == null || call.cancelled || attempt >= retries.maxAttempts()) {
        return Future.failedFuture(error);
      }
      long delay = backoff(retries, attempt);
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) > deadline) {
        return Future.failedFuture(error);
      }
      breakers.retried(model, reason);
      return vertx.timer(Math.max(1, delay), TimeUnit.MILLISECONDS)
          .compose(v -> attempt(call, request, retries, deadline, attempt + 1));
    });
  }

  private static void record(CircuitBreaker breaker, Consumer<CircuitBreaker> outcome) {
    if (breaker != null) {
      outcome.accept(breaker);
    }
  }

  /**
   * No instance, a lost connection, or a timeout while a cluster member was lost: the fault of an
   * instance, not of the model, so the model's breaker must not open on it (the other instances
   * serve the model well).
   */
  private boolean saysNothingAboutTheModel(ApiException error, long attemptStartedNanos) {
    String reason = retryReason(error);
    return "no_handlers".equals(reason) || "connection".equals(reason)
        || error.status() == 504 && node.memberLeftSince(attemptStartedNanos - MEMBER_LOSS_WINDOW_NANOS);
  }

  private static final long MEMBER_LOSS_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * Why a failure may be retried, as the metric's reason label, or null when it must not be: only
   * a 503 (the model refused, no instance, connection lost) and never our own open breaker.
   */
  static String retryReason(ApiException error) {
    if (error.status() != 503 || "circuit_open".equals(error.code())) {
      return null;
    }
    String message = error.getMessage() == null ? "" : error.getMessage();
    if (message.startsWith("No ")) {
      return "no_handlers";
    }
    if (message.contains("could not be reached")) {
      return "connection";
    }
    return "upstream_503";
  }

  /** Exponential backoff with equal jitter: half the step fixed, half random. */
  static long backoff(ResilienceConfig.Retries retries, int attempt) {
    long step = Math.min(retries.maxDelayMs(), retries.baseDelayMs() << Math.min(20, attempt - 1));
    long half = step / 2;
    return half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0);
  }

  private Future<Completion> gather(Call call, TokenStream stream) {
    Promise<Completion> answer = Promise.promise();
    call.gathering = answer;
    StringBuilder content = new StringBuilder();
    stream.handler(tokens -> tokens.forEach(content::append))
        .endHandler(end -> answer.tryComplete(new Completion(stream.model(), content.toString(), end.finishReason(),
            end.usage())))
        .exceptionHandler(answer::tryFail)
        .start();
    return answer.future().onFailure(failure -> stream.cancel());
  }
}
