package dev.agentloop.gateway.agent;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.front.guards.Owner;
import dev.agentloop.front.openai.ChatWire;
import dev.agentloop.front.ClientId;
import dev.agentloop.front.openai.EventRelay;
import dev.agentloop.front.HttpErrors;
import dev.agentloop.front.openai.SseRelay;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.TokenStream;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.gateway.idempotency.Attempt;
import dev.agentloop.gateway.idempotency.Idempotency;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code POST /v1/agent/runs}: checks the run, admits it against the agent-run caps, and hands it to
 * this node's agent verticle over the stream protocol. With {@code "stream": true} the answer is SSE:
 * each step and tool call as it finishes, then the whole run, then {@code [DONE]}; otherwise the run
 * as JSON. A client that goes away stops its run, and the run's slot is free again. With an
 * {@code Idempotency-Key}, a run is recorded once it completes, and the same key and body answer
 * that run again (a streamed one as its steps, tool calls and run, then {@code [DONE]}).
 */
public final class AgentRoutes {

  static final long RUN_TIMEOUT_MS = 120_000;
  static final String ROUTE = "POST /v1/agent/runs";
  private static final StreamTimeouts RUN = new StreamTimeouts(RUN_TIMEOUT_MS, RUN_TIMEOUT_MS, RUN_TIMEOUT_MS);

  private final Vertx vertx;
  private final ChatBodies bodies;
  private final Admission admission;
  private final long slowReaderTimeoutMs;
  private final Idempotency idempotency;

  public AgentRoutes(Vertx vertx, ChatBodies bodies, Admission admission, long slowReaderTimeoutMs,
      Idempotency idempotency) {
    this.vertx = vertx;
    this.bodies = bodies;
    this.admission = admission;
    this.slowReaderTimeoutMs = slowReaderTimeoutMs;
    this.idempotency = idempotency;
  }

  public void mount(Router router) {
    router.post("/v1/agent/runs").handler(this::run);
  }

  private void run(RoutingContext ctx) {
    JsonObject body;
    AgentRequest request;
    boolean stream;
    try {
      body = bodies.json(ctx);
      request = AgentRequest.from(body, bodies);
      Object streamValue = body.getValue("stream", false);
      if (!(streamValue instanceof Boolean b)) {
        throw ApiException.badRequest("Invalid type for 'stream': expected a boolean.", "stream");
      }
      stream = b;
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    idempotency.begin(ctx, ROUTE, body).onComplete(begun -> {
      if (begun.failed()) {
        ctx.fail(HttpErrors.forClient(begun.cause(), Services.STORAGE_SERVICE));
      } else if (begun.result().replay() != null) {
        replay(ctx, begun.result().replay(), stream);
      } else {
        start(ctx, request, stream, begun.result());
      }
    });
  }

  private void start(RoutingContext ctx, AgentRequest request, boolean stream, Attempt attempt) {
    Admission.Permit permit;
    try {
      permit = admission.admit(Admission.Kind.AGENT_RUN, ClientId.of(ctx));
    } catch (ApiException e) {
      attempt.release().onComplete(v -> ctx.fail(e));
      return;
    }
    String runId = "run_" + UUID.randomUUID().toString().replace("-", "");
    JsonObject message = request.toJson().put("id", runId).put("stream", stream).put("owner", Owner.of(ctx).scope());
    if (attempt.keyed()) {
      message.put("idempotency", attempt.toJson());
    }
    // a completed run recorded its key before its last event; any other end leaves it reserved: free it
    boolean[] over = {false};
    Supplier<Future<Void>> done = () -> {
      if (over[0]) {
        return Future.succeededFuture();
      }
      over[0] = true;
      permit.release();
      return attempt.release();
    };
    HttpServerResponse response = ctx.response();
    // until the run's first event the client's leaving is told to the agent directly
    response.closeHandler(v -> {
      done.get();
      vertx.eventBus().publish(Addresses.AGENT_CANCEL, new JsonObject().put("id", runId));
    });
    TokenStream.open(vertx, Addresses.AGENT_RUN, Addresses.AGENT_CANCEL, message, RUN, "agent service")
        .onComplete(ar -> {
          if (ar.failed()) {
            done.get().onComplete(v -> ctx.fail(HttpErrors.forClient(ar.cause(), "agent service")));
          } else if (response.closed()) {
            ar.result().cancel();
          } else if (stream) {
            new EventRelay(vertx, response, ar.result(), slowReaderTimeoutMs).start().onComplete(v -> done.get());
          } else {
            answer(ctx, ar.result(), done);
          }
        });
  }

  /** A plain run: its last event is the run. */
  private static void answer(RoutingContext ctx, TokenStream stream, Supplier<Future<Void>> done) {
    JsonObject[] run = {null};
    stream.handler(delta -> {
      if (delta instanceof Delta.Event event) {
        run[0] = event.body();
      }
    })
        .endHandler(end -> done.get().onComplete(v -> ctx.json(run[0])))
        .exceptionHandler(error -> done.get().onComplete(v -> ctx.fail(HttpErrors.forClient(error, "agent service"))));
  }

  /** The recorded run: as JSON, or as the events its stream sent (steps, tool calls, the run) and [DONE]. */
  private static void replay(RoutingContext ctx, JsonObject recorded, boolean stream) {
    if (!stream) {
      Idempotency.send(ctx, recorded);
      return;
    }
    JsonObject run = recorded.getJsonObject("body", new JsonObject());
    Buffer events = Buffer.buffer();
    for (Object step : run.getJsonArray("steps", new JsonArray())) {
      JsonArray calls = ((JsonObject) step).getJsonArray("calls", new JsonArray());
      calls.forEach(call -> events.appendBuffer(ChatWire.event(new JsonObject().put("object", "agent.run.tool_call")
          .put("tool_call", call))));
      events.appendBuffer(ChatWire.event(new JsonObject().put("object", "agent.run.step").put("step", step)));
    }
    ctx.response().putHeader(Idempotency.REPLAYED, "true");
    SseRelay.writeHeaders(ctx.response());
    ctx.response().end(events.appendBuffer(ChatWire.event(run)).appendBuffer(ChatWire.DONE));
  }
}
