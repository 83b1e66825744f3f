package dev.agentloop.gateway.agent;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatWire;
import dev.agentloop.common.openai.HttpErrors;
import dev.agentloop.common.openai.SseRelay;
import dev.agentloop.common.stream.StreamProtocol;
import dev.agentloop.gateway.ChatBodies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code POST /v1/agent/runs}: checks the run and hands it to this node's agent verticle over the
 * event bus. With {@code "stream": true} the answer is SSE: each step and tool call as it finishes,
 * then the whole run, then {@code [DONE]}.
 */
public final class AgentRoutes {

  static final long RUN_TIMEOUT_MS = 120_000;
  private final Vertx vertx;
  private final ChatBodies bodies;

  public AgentRoutes(Vertx vertx, ChatBodies bodies) {
    this.vertx = vertx;
    this.bodies = bodies;
  }

  public void mount(Router router) {
    router.post("/v1/agent/runs").handler(this::run);
  }

  private void run(RoutingContext ctx) {
    AgentRequest request;
    boolean stream;
    try {
      JsonObject body = bodies.json(ctx);
      request = AgentRequest.from(body, bodies);
      Object streamValue = body.getValue("stream", false);
      if (!(streamValue instanceof Boolean b)) {
        throw ApiException.badRequest("Invalid type for 'stream': expected a boolean.", "stream");
      }
      stream = b;
    } catch (ApiException e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    String runId = "run_" + UUID.randomUUID().toString().replace("-", "");
    JsonObject message = request.toJson().put("run_id", runId).put("stream", stream);
    if (!stream) {
      send(message).onSuccess(ctx::json)
          .onFailure(failure -> HttpErrors.send(ctx.response(), ApiException.from(failure, "agent service")));
      return;
    }
    HttpServerResponse response = ctx.response();
    MessageConsumer<JsonObject> steps = vertx.eventBus().localConsumer(Addresses.agentRunEvents(runId), event -> {
      SseRelay.writeHeaders(response);
      if (!response.ended() && !response.closed()) {
        response.write(ChatWire.event(event.body()));
      }
    });
    steps.completion().compose(v -> send(message)).onComplete(ar -> {
      steps.unregister();
      if (ar.failed()) {
        ApiException error = ApiException.from(ar.cause(), "agent service");
        if (response.headWritten()) {
          response.end(ChatWire.event(error.toJson()));
        } else {
          HttpErrors.send(response, error);
        }
        return;
      }
      SseRelay.writeHeaders(response);
      if (!response.closed()) {
        response.write(ChatWire.event(ar.result()));
        response.end(ChatWire.DONE);
      }
    });
  }

  private Future<JsonObject> send(JsonObject message) {
    return vertx.eventBus().<JsonObject>request(Addresses.AGENT_RUN, message,
        StreamProtocol.timeout(RUN_TIMEOUT_MS).setLocalOnly(true)).map(reply -> reply.body());
  }
}
