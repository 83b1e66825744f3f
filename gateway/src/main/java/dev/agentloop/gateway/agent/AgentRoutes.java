package dev.agentloop.gateway.agent;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatRoutes;
import dev.agentloop.common.openai.HttpErrors;
import dev.agentloop.common.stream.StreamProtocol;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /v1/agent/runs}: checks the run and hands it to the agent verticle over the event bus. */
public final class AgentRoutes {

  static final long RUN_TIMEOUT_MS = 120_000;
  private final Vertx vertx;

  public AgentRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  public void mount(Router router) {
    router.post("/v1/agent/runs").handler(this::run);
  }

  private void run(RoutingContext ctx) {
    AgentRequest request;
    try {
      request = AgentRequest.from(ChatRoutes.jsonBody(ctx));
    } catch (ApiException e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.AGENT_RUN, request.toJson(), StreamProtocol.timeout(RUN_TIMEOUT_MS))
        .onSuccess(reply -> ctx.json(reply.body()))
        .onFailure(failure -> HttpErrors.send(ctx.response(), ApiException.from(failure, "agent service")));
  }
}
