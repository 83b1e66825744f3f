package dev.agentloop.gateway.agent;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.admission.Admission;
import dev.agentloop.common.guards.Owner;
import dev.agentloop.common.openai.ClientId;
import dev.agentloop.common.openai.EventRelay;
import dev.agentloop.common.openai.HttpErrors;
import dev.agentloop.common.stream.StreamTimeouts;
import dev.agentloop.common.stream.TokenStream;
import dev.agentloop.gateway.ChatBodies;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code POST /v1/agent/runs}: checks the run, admits it against the agent-run caps, and hands it to
 * this node's agent verticle over the stream protocol. With {@code "stream": true} the answer is SSE:
 * each step and tool call as it finishes, then the whole run, then {@code [DONE]}; otherwise the run
 * as JSON. A client that goes away stops its run, and the run's slot is free again.
 */
public final class AgentRoutes {

  static final long RUN_TIMEOUT_MS = 120_000;
  private static final StreamTimeouts RUN = new StreamTimeouts(RUN_TIMEOUT_MS, RUN_TIMEOUT_MS, RUN_TIMEOUT_MS);

  private final Vertx vertx;
  private final ChatBodies bodies;
  private final Admission admission;
  private final long slowReaderTimeoutMs;

  public AgentRoutes(Vertx vertx, ChatBodies bodies, Admission admission, long slowReaderTimeoutMs) {
    this.vertx = vertx;
    this.bodies = bodies;
    this.admission = admission;
    this.slowReaderTimeoutMs = slowReaderTimeoutMs;
  }

  public void mount(Router router) {
    router.post("/v1/agent/runs").handler(this::run);
  }

  private void run(RoutingContext ctx) {
    AgentRequest request;
    boolean stream;
    Admission.Permit permit;
    try {
      JsonObject body = bodies.json(ctx);
      request = AgentRequest.from(body, bodies);
      Object streamValue = body.getValue("stream", false);
      if (!(streamValue instanceof Boolean b)) {
        throw ApiException.badRequest("Invalid type for 'stream': expected a boolean.", "stream");
      }
      stream = b;
      permit = admission.admit(Admission.Kind.AGENT_RUN, ClientId.of(ctx));
    } catch (ApiException e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    String runId = "run_" + UUID.randomUUID().toString().replace("-", "");
    JsonObject message = request.toJson().put("id", runId).put("stream", stream).put("owner", Owner.of(ctx).scope());
    HttpServerResponse response = ctx.response();
    // until the run's first event the client's leaving is told to the agent directly
    response.closeHandler(v -> {
      permit.release();
      vertx.eventBus().publish(Addresses.AGENT_CANCEL, new JsonObject().put("id", runId));
    });
    TokenStream.open(vertx, Addresses.AGENT_RUN, Addresses.AGENT_CANCEL, message, RUN, "agent service")
        .onComplete(ar -> {
          if (ar.failed()) {
            permit.release();
            HttpErrors.send(response, ApiException.from(ar.cause(), "agent service"));
          } else if (response.closed()) {
            ar.result().cancel();
          } else if (stream) {
            new EventRelay(vertx, response, ar.result(), slowReaderTimeoutMs).start().onComplete(v -> permit.release());
          } else {
            answer(ctx, ar.result(), permit);
          }
        });
  }

  /** A plain run: its last event is the run. */
  private static void answer(RoutingContext ctx, TokenStream stream, Admission.Permit permit) {
    JsonObject[] run = {null};
    stream.eventHandler(event -> run[0] = event).endHandler(end -> {
      permit.release();
      ctx.json(run[0]);
    }).exceptionHandler(error -> {
      permit.release();
      HttpErrors.send(ctx.response(), error);
    }).start();
  }
}
