package dev.agentloop.front.openai;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.front.HttpErrors;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.front.JsonBody;
import dev.agentloop.contract.ApiException;
import dev.agentloop.front.ServerTiming;
import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * OpenAI's chat-completion, embeddings and model routes over a {@link ChatService}; the gateway and the mock's
 * own port serve the same wire format through this class. One instance per verticle instance: its
 * state lives on that verticle's event loop.
 */
public final class ChatRoutes {

  /** Admits a stream for the client of {@code ctx}: returns what releases it, or throws a 429. */
  public interface StreamAdmission {
    Runnable admit(RoutingContext ctx);
  }

  /** Names the model that answered, which differs from the one asked for after a fallback. */
  public static final String MODEL_HEADER = "x-agentloop-model";

  private static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");

  private final ChatService service;
  private final HttpLimits limits;
  private final ChatMetrics metrics;
  private final ChatHook hook;
  private final Set<SseRelay> open = new HashSet<>();
  private final Map<RoutingContext, String> waiting = new HashMap<>();
  private StreamAdmission admission = ctx -> () -> { };
  private StreamAdmission embeddingAdmission = ctx -> () -> { };

  public ChatRoutes(ChatService service, HttpLimits limits, ChatMetrics metrics) {
    this(service, limits, metrics, ChatHook.NONE);
  }

  public ChatRoutes(ChatService service, HttpLimits limits, ChatMetrics metrics, ChatHook hook) {
    this.service = service;
    this.limits = limits;
    this.metrics = metrics;
    this.hook = hook;
  }

  public ChatRoutes admission(StreamAdmission admission) {
    this.admission = admission;
    return this;
  }

  /** Admits an embeddings request (kind {@code embeddings}), as {@link #admission} admits a stream. */
  public ChatRoutes embeddingAdmission(StreamAdmission admission) {
    this.embeddingAdmission = admission;
    return this;
  }

  public void mount(Router router) {
    router.post("/v1/chat/completions").handler(this::chat);
    router.post("/v1/embeddings").handler(new EmbeddingRoutes(service, limits, embeddingAdmission)::embed);
    router.get("/v1/models").respond(this::models);
    router.get("/v1/models/:model").respond(this::model);
  }

  /**
   * Ends everything still in flight (used when the grace period runs out): open streams get
   * {@code error} as their terminal event; requests still waiting for the model get it as their
   * answer (an event if keep-alives already sent the headers), and their generations are cancelled.
   */
  public void abortInFlight(ApiException error) {
    for (SseRelay relay : new ArrayList<>(open)) {
      relay.abort(error);
    }
    waiting.forEach((ctx, requestId) -> {
      service.cancel(requestId);
      metrics.error(error.status());
      failOrEndStream(ctx, error);
    });
    waiting.clear();
  }

  public static String newCompletionId() {
    UUID uuid = UUID.randomUUID();
    return "chatcmpl-" + Long.toHexString(uuid.getMostSignificantBits()) + Long.toHexString(uuid.getLeastSignificantBits());
  }

  private void chat(RoutingContext ctx) {
    long started = System.nanoTime();
    ChatRequest request;
    Runnable release;
    try {
      request = ChatRequest.fromHttp(JsonBody.of(ctx, limits), newCompletionId(), limits);
      release = request.stream() ? admission.admit(ctx) : () -> { };
    } catch (ApiException e) {
      metrics.error(e.status());
      ctx.fail(e);
      return;
    }
    HttpServerResponse response = ctx.response();
    response.closeHandler(v -> {
      if (!response.ended()) {
        service.cancel(request.id());
      }
    });
    hook.before(request, ctx).onComplete(prepared -> {
      if (prepared.failed()) {
        release.run();
        fail(ctx, prepared.cause());
      } else if (response.closed()) {
        release.run();
        prepared.result().abandoned();
      } else if (prepared.result().replay() != null) {
        release.run();
        replay(response, request, prepared.result().replay());
      } else {
        answer(ctx, request, prepared.result(), response, started, release);
      }
    });
  }

  /** A recorded answer, sent as the first one was: the same JSON, or the same stream of events. */
  private static void replay(HttpServerResponse response, ChatRequest request, JsonObject completion) {
    response.putHeader(MODEL_HEADER, String.valueOf(completion.getValue("model")));
    if (request.stream()) {
      SseRelay.writeHeaders(response);
      response.end(ChatWire.replayStream(completion, request.includeUsage()));
    } else {
      response.putHeader("content-type", "application/json").end(completion.toBuffer());
    }
  }

  private void answer(RoutingContext ctx, ChatRequest request, ChatHook.Turn turn, HttpServerResponse response,
      long started, Runnable release) {
    ChatRequest prepared = turn.request();
    Vertx vertx = ctx.vertx();
    long asked = System.nanoTime();
    waiting.put(ctx, request.id());
    if (request.stream()) {
      long keepAlive = startKeepAlive(vertx, response);
      service.stream(prepared).onComplete(ar -> {
        waiting.remove(ctx);
        ServerTiming.modelWait(ctx, System.nanoTime() - asked);
        if (keepAlive >= 0) {
          vertx.cancelTimer(keepAlive);
        }
        startRelay(ctx, request, turn, started, release, ar);
      });
    } else {
      long[] created = {0};
      service.complete(prepared).recover(e -> turn.abandoned().transform(v -> Future.failedFuture(e))).compose(answer -> {
            ServerTiming.modelWait(ctx, System.nanoTime() - asked);
            created[0] = System.currentTimeMillis() / 1000;
            return turn.after(new SseRelay.Outcome(answer.content(), answer.finishReason(), answer.usage(), null, false,
                answer.toolCalls()),
                completion(request, created[0], answer)).map(answer);
          })
          .onComplete(ar -> {
            waiting.remove(ctx);
            if (response.ended() || response.closed()) {
              return; // aborted while the model or the hook worked (grace period over), or the client left
            }
            if (ar.failed()) {
              fail(ctx, ar.cause());
              return;
            }
            Completion answer = ar.result();
            metrics.completed(answer.model(), System.nanoTime() - started);
            response.putHeader("content-type", "application/json").putHeader(MODEL_HEADER, answer.model())
                .end(completion(request, created[0], answer).toBuffer());
          });
    }
  }

  private static JsonObject completion(ChatRequest request, long created, Completion answer) {
    return ChatWire.completion(request.id(), created, answer.model(), answer.choices(), answer.finishReason(),
        answer.usage());
  }

  /** While the model has not answered, SSE comments every few seconds keep proxies from cutting the stream. */
  private long startKeepAlive(Vertx vertx, HttpServerResponse response) {
    if (limits.sseKeepaliveMs() <= 0) {
      return -1;
    }
    return vertx.setPeriodic(limits.sseKeepaliveMs(), limits.sseKeepaliveMs(), id -> {
      if (response.closed() || response.ended()) {
        vertx.cancelTimer(id);
        return;
      }
      SseRelay.writeHeaders(response);
      response.write(KEEP_ALIVE);
    });
  }

  private void startRelay(RoutingContext ctx, ChatRequest request, ChatHook.Turn turn,
      long started, Runnable release, AsyncResult<TokenStream> opened) {
    Vertx vertx = ctx.vertx();
    HttpServerResponse response = ctx.response();
    if (opened.failed()) {
      release.run();
      ApiException error = ApiException.from(opened.cause(), Services.LLM_SERVICE);
      metrics.error(error.status());
      turn.abandoned().onComplete(v -> failOrEndStream(ctx, error));
      return;
    }
    TokenStream stream = opened.result();
    if (response.closed() || response.ended()) {
      release.run();
      stream.cancel();
      turn.abandoned();
      return;
    }
    if (!response.headWritten()) { // keep-alive comments may have sent the head already; the chunks name the model too
      response.putHeader(MODEL_HEADER, stream.model());
    }
    SseRelay relay = new SseRelay(vertx, response, stream, request, request.id(), stream.model(), metrics, started,
        limits.slowReaderTimeoutMs());
    boolean[] recorded = {false};
    open.add(relay);
    relay.beforeDone(outcome -> {
      recorded[0] = true;
      return turn.after(outcome, relay.completion(outcome));
    }).start().onComplete(done -> {
      open.remove(relay);
      release.run();
      if (done.succeeded() && !recorded[0]) {
        turn.after(done.result(), null);
      }
    });
  }

  private void fail(RoutingContext ctx, Throwable cause) {
    Throwable error = HttpErrors.forClient(cause, Services.LLM_SERVICE);
    metrics.error(error instanceof ApiException api ? api.status() : 500);
    ctx.fail(error);
  }

  /** Before the head is written the failure handler answers; after it (keep-alive comments), the stream's error event. */
  private static void failOrEndStream(RoutingContext ctx, ApiException error) {
    HttpServerResponse response = ctx.response();
    if (!response.headWritten()) {
      ctx.fail(error);
    } else if (!response.ended() && !response.closed()) {
      response.end(ChatWire.event(error.toJson()));
    }
  }

  private Future<JsonObject> models(RoutingContext ctx) {
    return HttpErrors.mapFailure(service.models(), Services.LLM_SERVICE)
        .map(models -> new JsonObject().put("object", "list").put("data", models));
  }

  private Future<JsonObject> model(RoutingContext ctx) {
    String id = ctx.pathParam("model");
    return HttpErrors.mapFailure(service.models(), Services.LLM_SERVICE).compose(models -> {
      for (Object model : models) {
        if (model instanceof JsonObject m && id.equals(m.getString("id"))) {
          return Future.succeededFuture(m);
        }
      }
      return Future.failedFuture(ApiException.modelNotFound(id));
    });
  }
}
