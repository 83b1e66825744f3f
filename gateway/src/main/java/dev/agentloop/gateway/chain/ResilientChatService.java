package dev.agentloop.gateway.chain;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.NodeState;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.chat.Embeddings;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.chat.LlmClient;
import dev.agentloop.contract.ApiException.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The model chain: the one {@link ChatService} every gateway-side caller (chat, fan-out, jobs,
 * agent runs) uses in front of the llm-service. Per request:
 * <ol>
 * <li>the models to try: the one asked for, then its configured fallbacks, in order;</li>
 * <li>per model, its circuit breaker: while open the model is skipped at once with a 503;</li>
 * <li>per model, retries with exponential backoff and jitter of the failures whose
 * {@link Reason#retryable() reason} makes them safe to repeat: the model's 503, no instance, a lost
 * connection, a timeout while a cluster member was lost or leaving. A stream is retried only while
 * it opens, before any token exists, so it never repeats a token; a plain completion is retried
 * whole, as nothing reached the caller yet.</li>
 * </ol>
 * One attempt counter per request: attempt k runs under the generation id {@code <id>} (k = 1) or
 * {@code <id>~k}, so the cancel of a failed attempt never stops the next one, and {@link #cancel}
 * reaches whatever attempt runs. A model is tried at most its {@code max_attempts} times, and no
 * attempt (retry or fallback) starts later than the requested model's {@code budget_ms} after the
 * request arrived. One instance per verticle: its state is confined to that verticle's context; the
 * breakers are shared per process.
 */
public final class ResilientChatService implements ChatService {

  /** How long a clustered timeout waits for the cluster to report a lost member (its heartbeat limit is 5 s). */
  static final long MEMBER_LOSS_WAIT_MS = 4_000;

  private final Vertx vertx;
  private final ChatService delegate;
  private final Breakers breakers;
  private final MemberLoss memberLoss;
  private final Map<String, Call> calls = new HashMap<>(); // the requests in flight through this instance

  ResilientChatService(Vertx vertx, ChatService delegate, Breakers breakers, MemberLoss memberLoss) {
    this.vertx = vertx;
    this.delegate = delegate;
    this.breakers = breakers;
    this.memberLoss = memberLoss;
  }

  /**
   * The one factory of the chain: the llm-service over the bus with the per-model {@code timeouts},
   * behind the node's {@code breakers}, listening for llm instances that leave. Call it from the
   * verticle that uses the chain and let its start wait for {@link #ready()}.
   */
  public static ResilientChatService create(Vertx vertx, Function<String, StreamTimeouts> timeouts, Breakers breakers,
      NodeState node) {
    return new ResilientChatService(vertx, new LlmClient(vertx, timeouts), breakers, MemberLoss.watch(vertx, node));
  }

  /** Completes once the chain hears llm instances announce that they leave. */
  public Future<Void> ready() {
    return memberLoss.ready();
  }

  /** The error an open breaker answers with. */
  public static ApiException circuitOpen(String model, long retryAfterMs) {
    return new ApiException(503, "service_unavailable", "circuit_open", null, "The model `" + model
        + "` is failing and its circuit breaker is open; it will be tried again in " + retryAfterMs + " ms.",
        Reason.CIRCUIT_OPEN);
  }

  /** What a caller that cancelled its own request sees. */
  public static ApiException cancelled() {
    return new ApiException(499, "cancelled", "cancelled", null, "The request was cancelled.", Reason.CANCELLED);
  }

  /** One request through the chain. */
  private static final class Call {
    final String id;
    final long deadlineNanos;
    int attempts;
    String attemptId;
    TokenStream stream;
    Promise<Completion> gathering;
    boolean cancelled;

    Call(String id, long deadlineNanos) {
      this.id = id;
      this.deadlineNanos = deadlineNanos;
    }
  }

  @Override
  public Future<TokenStream> stream(ChatRequest request) {
    return run(request, this::open);
  }

  @Override
  public Future<Completion> complete(ChatRequest request) {
    return run(request, (call, attempt) -> open(call, attempt).compose(stream -> gather(call, stream)));
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

  /**
   * Embeddings pass straight to the llm-service: one plain bus request, with no retries, fallbacks
   * or breakers (the chain's attempts, generation ids and breaker outcomes are those of chat streams).
   */
  @Override
  public Future<Embeddings> embed(JsonObject request) {
    return delegate.embed(request);
  }

  @Override
  public Future<JsonArray> models() {
    return delegate.models();
  }

  private <T> Future<T> run(ChatRequest request, BiFunction<Call, ChatRequest, Future<T>> attempt) {
    ChatRequest withId = request.id() != null ? request : request.withId(UUID.randomUUID().toString());
    long budgetMs = breakers.config().policy(withId.model()).retries().budgetMs();
    Call call = new Call(withId.id(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs));
    calls.put(call.id, call);
    List<String> models = new ArrayList<>();
    models.add(withId.model());
    models.addAll(breakers.config().policy(withId.model()).fallbacks());
    return tryModel(call, withId, models, 0, attempt).onComplete(ar -> calls.remove(call.id, call));
  }

  private <T> Future<T> tryModel(Call call, ChatRequest request, List<String> models, int index,
      BiFunction<Call, ChatRequest, Future<T>> attempt) {
    String model = models.get(index);
    ResilienceConfig.Retries retries = breakers.config().policy(model).retries();
    return tries(call, request.withModel(model), retries, 1, attempt).recover(failure -> {
      ApiException error = ApiException.from(failure, Services.LLM_SERVICE);
      if (call.cancelled || error.status() < 500 || index + 1 >= models.size() || pastDeadline(call, 0)) {
        return Future.failedFuture(error);
      }
      breakers.fellBack(model, models.get(index + 1));
      return tryModel(call, request, models, index + 1, attempt);
    });
  }

  /** Try {@code tryOfModel} of one model, and the retries after it. */
  private <T> Future<T> tries(Call call, ChatRequest request, ResilienceConfig.Retries retries, int tryOfModel,
      BiFunction<Call, ChatRequest, Future<T>> attempt) {
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
    call.stream = null;
    call.gathering = null;
    long startedNanos = System.nanoTime();
    return attempt.apply(call, request.withId(call.attemptId)).recover(failure -> {
      ApiException error = ApiException.from(failure, Services.LLM_SERVICE);
      boolean opened = call.stream != null;
      boolean mayRetry = !call.cancelled && tryOfModel < retries.maxAttempts() && !pastDeadline(call, 0);
      return classify(error, startedNanos, mayRetry ? remainingMs(call) : 0).compose(typed -> {
        if (!opened) {
          recordOpenFailure(model, breaker, typed);
        }
        if (call.cancelled) {
          return Future.failedFuture(cancelled());
        }
        if (!mayRetry || !typed.reason().retryable()) {
          return Future.failedFuture(typed);
        }
        long delay = backoff(retries, tryOfModel);
        if (pastDeadline(call, delay)) {
          return Future.failedFuture(typed);
        }
        breakers.retried(model, retryReason(typed));
        return vertx.timer(Math.max(1, delay), TimeUnit.MILLISECONDS)
            .compose(v -> tries(call, request, retries, tryOfModel + 1, attempt));
      });
    });
  }

  /** Opens one attempt's stream; the model's breaker hears the outcome of a successful open. */
  private Future<TokenStream> open(Call call, ChatRequest attempt) {
    return delegate.stream(attempt).compose(stream -> {
      record(breakers.known(attempt.model()), CircuitBreaker::onSuccess);
      if (call.cancelled) {
        stream.cancel();
        return Future.failedFuture(cancelled());
      }
      call.stream = stream;
      return Future.succeededFuture(stream);
    });
  }

  /**
   * A timeout is the fault of a member, not of the model, when a cluster member was lost (or an llm
   * instance left) since the attempt began: its reason becomes {@link Reason#MEMBER_LOST}. Clustered,
   * the loss is awaited up to {@code waitMs}, as the cluster may report it a little after the timeout.
   */
  private Future<ApiException> classify(ApiException error, long startedNanos, long waitMs) {
    if (error.reason() != Reason.TIMEOUT) {
      return Future.succeededFuture(error);
    }
    long wait = vertx.isClustered() ? Math.min(waitMs, MEMBER_LOSS_WAIT_MS) : 0;
    return memberLoss.awaitLossSince(startedNanos, wait)
        .map(lost -> lost ? error.withReason(Reason.MEMBER_LOST) : error);
  }

  /**
   * No instance, a lost connection or a lost member say nothing about the model (the other instances
   * serve it well): its breaker counts nothing. A 5xx of the model itself counts (the model exists);
   * any other answer, if only a refusal, is no failure of the model; "no such model" proves nothing exists.
   */
  private void recordOpenFailure(String model, CircuitBreaker breaker, ApiException error) {
    Reason reason = error.reason();
    if (reason == Reason.NO_INSTANCE || reason == Reason.CONNECTION_LOST || reason == Reason.MEMBER_LOST) {
      record(breaker, CircuitBreaker::onNeutral);
    } else if (reason == Reason.CIRCUIT_OPEN || reason == Reason.CANCELLED) {
      return;
    } else if (error.status() >= 500) {
      record(breakers.known(model), CircuitBreaker::onFailure);
    } else {
      record(breaker, CircuitBreaker::onSuccess);
    }
  }

  private static void record(CircuitBreaker breaker, Consumer<CircuitBreaker> outcome) {
    if (breaker != null) {
      outcome.accept(breaker);
    }
  }

  /** Whether an attempt started {@code delayMs} from now would start after the request's budget. */
  private static boolean pastDeadline(Call call, long delayMs) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) - call.deadlineNanos > 0;
  }

  private static long remainingMs(Call call) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(call.deadlineNanos - System.nanoTime()));
  }

  /**
   * The {@code reason} label of {@code agentloop_retries_total} for a failure, or null when it must
   * not be retried: a fixed set, one per retryable {@link Reason}.
   */
  static String retryReason(ApiException error) {
    return switch (error.reason()) {
      case MODEL_UNAVAILABLE -> "upstream_503";
      case NO_INSTANCE -> "no_handlers";
      case CONNECTION_LOST -> "connection";
      case MEMBER_LOST -> "member_lost";
      default -> null;
    };
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
    stream.collect(Delta.gathered()).onComplete(ar -> {
      if (ar.succeeded()) {
        answer.tryComplete(Completion.of(stream.model(), ar.result(), stream.streamEnd().finishReason(),
            stream.streamEnd().usage()));
      } else {
        answer.tryFail(ar.cause());
      }
    });
    return answer.future().onFailure(failure -> stream.cancel());
  }
}
