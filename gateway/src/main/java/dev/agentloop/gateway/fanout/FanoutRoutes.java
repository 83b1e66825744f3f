package dev.agentloop.gateway.fanout;

import dev.agentloop.contract.Services;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.contract.ApiException;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.front.openai.ChatRoutes;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.front.openai.ChatWire;
import dev.agentloop.front.ClientId;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.front.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/fanout}: the same messages to several models at once.
 * <ul>
 * <li>{@code mode: "all"}: every model's completion or its error in OpenAI's shape
 * ({@code Future.join} over the calls);</li>
 * <li>{@code mode: "first"} is a race: the first success wins ({@code Future.any}) and the others are
 * cancelled, which stops their generations;</li>
 * <li>{@code timeout_ms} bounds the whole call: calls still running then are cancelled and listed
 * in {@code timed_out}.</li>
 * </ul>
 * Each result carries its latency and the response its total wall time.
 */
public final class FanoutRoutes {

  static final int MAX_MODELS = 16;
  static final int DEFAULT_TIMEOUT_MS = 30_000;
  static final int MAX_TIMEOUT_MS = 600_000;

  private final Vertx vertx;
  private final ChatService service;
  private final ChatBodies bodies;
  private final Admission admission;

  public FanoutRoutes(Vertx vertx, ChatService service, ChatBodies bodies, Admission admission) {
    this.vertx = vertx;
    this.service = service;
    this.bodies = bodies;
    this.admission = admission;
  }

  public void mount(Router router) {
    router.post("/v1/chat/fanout").handler(this::fanout);
  }

  /** The chat fields each model's request takes over from the fan-out's body. */
  private static final List<String> CARRIED = List.of("tools", "tool_choice", "parallel_tool_calls",
      "response_format", "stop", "seed", "n", "temperature", "top_p");

  private record Fanout(List<ChatRequest> requests, boolean first, long timeoutMs) {
  }

  /** One model's call: settles exactly once, as ok, error, timed_out or cancelled. */
  private final class Leg {
    final ChatRequest request;
    final long started = System.nanoTime();
    final Promise<JsonObject> settled = Promise.promise();
    final Promise<Completion> success = Promise.promise();

    Leg(ChatRequest request) {
      this.request = request;
      service.complete(request).onComplete(ar -> {
        if (ar.succeeded()) {
          Completion answer = ar.result();
          settle("ok", new JsonObject().put("completion", ChatWire.completion(request.id(),
              System.currentTimeMillis() / 1000, answer.model(), answer.choices(), answer.finishReason(),
              answer.usage())).put("answered_by", answer.model()));
          success.tryComplete(answer);
        } else {
          ApiException error = ApiException.from(ar.cause(), Services.LLM_SERVICE);
          settle("error", new JsonObject().put("status_code", error.status()).put("error", error.errorObject()));
          success.tryFail(error);
        }
      });
    }

    void stop(String status, ApiException reason) {
      if (!settled.future().isComplete()) {
        settle(status, new JsonObject().put("error", reason.errorObject()));
        success.tryFail(reason);
        service.cancel(request.id());
      }
    }

    private void settle(String status, JsonObject details) {
      double latencyMs = (System.nanoTime() - started) / 1e6;
      settled.tryComplete(new JsonObject().put("model", request.model()).put("status", status)
          .put("latency_ms", Math.round(latencyMs * 10) / 10.0).mergeIn(details));
    }
  }

  private void fanout(RoutingContext ctx) {
    long started = System.nanoTime();
    Fanout fanout;
    Admission.Permit permit;
    try {
      fanout = parse(bodies.json(ctx));
      permit = admission.admit(Admission.Kind.FANOUT, ClientId.of(ctx));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    List<Leg> legs = new ArrayList<>();
    for (ChatRequest request : fanout.requests()) {
      legs.add(new Leg(request));
    }
    long timer = vertx.setTimer(fanout.timeoutMs(), t -> legs.forEach(leg -> leg.stop("timed_out",
        ApiException.timeout("No answer within the fan-out's timeout_ms of " + fanout.timeoutMs() + " ms."))));
    ctx.response().closeHandler(v -> legs.forEach(leg -> leg.stop("cancelled", ResilientCancel.CLIENT_GONE)));
    List<Future<JsonObject>> settled = legs.stream().map(leg -> leg.settled.future()).toList();
    Future<?> done;
    if (fanout.first()) {
      Future<?> winner = Future.any(legs.stream().map(leg -> leg.success.future()).toList());
      done = winner.transform(ar -> {
        legs.forEach(leg -> leg.stop("cancelled", ResilientCancel.LOST_RACE));
        return Future.join(settled);
      });
    } else {
      done = Future.join(settled);
    }
    done.onComplete(ar -> {
      permit.release(); // every leg has settled: by itself, by the timeout, or because the client left
      vertx.cancelTimer(timer);
      JsonArray results = new JsonArray();
      JsonArray timedOut = new JsonArray();
      String winner = null;
      long bestNanos = Long.MAX_VALUE;
      for (Leg leg : legs) {
        JsonObject result = leg.settled.future().result();
        results.add(result);
        if ("timed_out".equals(result.getString("status"))) {
          timedOut.add(leg.request.model());
        }
        if ("ok".equals(result.getString("status")) && result.getDouble("latency_ms") * 1e6 < bestNanos) {
          bestNanos = (long) (result.getDouble("latency_ms") * 1e6);
          winner = leg.request.model();
        }
      }
      JsonObject body = new JsonObject()
          .put("object", "chat.fanout")
          .put("mode", fanout.first() ? "first" : "all")
          .put("timeout_ms", fanout.timeoutMs())
          .put("total_ms", Math.round((System.nanoTime() - started) / 1e5) / 10.0)
          .put("timed_out", timedOut)
          .put("results", results);
      if (fanout.first()) {
        body.put("winner", winner);
      }
      if (!ctx.response().closed()) {
        ctx.json(body);
      }
    });
  }

  private Fanout parse(JsonObject body) {
    Object modelsValue = body.getValue("models");
    if (!(modelsValue instanceof JsonArray models) || models.isEmpty()) {
      throw ApiException.badRequest("'models' must be a non-empty array of model names.", "models");
    }
    if (models.size() > MAX_MODELS) {
      throw ApiException.badRequest("'models' may name at most " + MAX_MODELS + " models.", "models");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      if (!(models.getValue(i) instanceof String name) || name.isBlank()) {
        throw ApiException.badRequest("'models[" + i + "]' must be a model name.", "models[" + i + "]");
      }
      names.add(name); // a model may appear twice: five calls to one model measure concurrency
    }
    Object mode = body.getValue("mode", "all");
    if (!"all".equals(mode) && !"first".equals(mode)) {
      throw ApiException.badRequest("'mode' must be \"all\" or \"first\".", "mode");
    }
    Object timeout = body.getValue("timeout_ms", DEFAULT_TIMEOUT_MS);
    if (!(timeout instanceof Integer || timeout instanceof Long) || ((Number) timeout).longValue() < 1
        || ((Number) timeout).longValue() > MAX_TIMEOUT_MS) {
      throw ApiException.badRequest("'timeout_ms' must be an integer between 1 and " + MAX_TIMEOUT_MS + ".",
          "timeout_ms");
    }
    if (Boolean.TRUE.equals(body.getValue("stream"))) {
      throw ApiException.badRequest("Streaming is not supported for fan-out.", "stream");
    }
    List<ChatRequest> requests = new ArrayList<>();
    for (String name : names) {
      JsonObject single = new JsonObject().put("model", name).put("messages", body.getValue("messages"))
          .put("max_tokens", body.getValue("max_tokens"));
      for (String field : CARRIED) {
        if (body.getValue(field) != null) {
          single.put(field, body.getValue(field));
        }
      }
      requests.add(bodies.chat(single, ChatRoutes.newCompletionId()));
    }
    return new Fanout(requests, "first".equals(mode), ((Number) timeout).longValue());
  }

  /** Why a leg was stopped before it settled on its own. */
  private static final class ResilientCancel {
    static final ApiException LOST_RACE = new ApiException(499, "cancelled", "cancelled", null,
        "Cancelled: another model answered first.");
    static final ApiException CLIENT_GONE = new ApiException(499, "cancelled", "cancelled", null,
        "Cancelled: the client went away.");
  }
}
