package dev.agentloop.llm;

import dev.agentloop.contract.node.NodeState;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.front.guards.FrontGuards;
import dev.agentloop.front.openai.ChatMetrics;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.front.ApiRouter;
import dev.agentloop.front.ApiServer;
import dev.agentloop.front.openai.ChatRoutes;
import dev.agentloop.front.GracefulStop;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.front.openai.ChatRoutes;
import dev.agentloop.front.ClientId;
import dev.agentloop.contract.chat.LlmClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * The mock's own OpenAI-compatible HTTP port, so it serves any OpenAI client without the gateway.
 * It is a front like the gateway: the same API keys, rate limits and stream admission on /v1/*,
 * and this process's {@code /metrics} behind the same admin rule (so an llm-only process in a
 * cluster can be scraped on its own). It binds loopback unless {@code llm.http_host} says otherwise,
 * and reaches the models over the event bus like the gateway does.
 */
public final class LlmHttpVerticle extends VerticleBase {

  private HttpServer server;
  private ChatRoutes routes;
  private long graceMs;

  @Override
  public Future<?> start() {
    LlmConfig config = LlmConfig.from(config());
    AgentloopConfig process = AgentloopConfig.from(config());
    graceMs = process.shutdownGraceMs();
    HttpLimits limits = HttpLimits.from(config());
    MeterRegistry registry = Metrics.registry(config());
    FrontGuards guards = FrontGuards.of(vertx, config(), registry);
    Router router = guards.router(vertx, limits.bodyLimitBytes());
    Admission admission = Admission.of(vertx, config());
    routes = new ChatRoutes(new LlmClient(vertx, model -> config.httpTimeouts()), limits,
        ChatMetrics.of(registry, "llm")).admission(ctx -> admission.admit(Admission.Kind.STREAM, ClientId.of(ctx))::release);
    routes.mount(router);
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")
        .put("node", NodeState.nodeId(vertx))));
    if (process.metricsEnabled()) {
      guards.mountMetrics(router, process.metricsRegistry());
    }
    ApiRouter.finish(router);
    server = ApiServer.create(vertx, config.httpHost(), config.httpPort(), limits, router);
    return server.listen().onSuccess(s -> NodeState.port(vertx, NodeState.LLM_HTTP_PORT, s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    GracefulStop.abortInFlightBeforeGraceEnds(vertx, routes, graceMs);
    return server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }
}
