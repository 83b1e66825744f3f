package dev.agentloop.llm;

import dev.agentloop.common.NodeState;
import dev.agentloop.common.admission.Admission;
import dev.agentloop.common.config.AgentloopConfig;
import dev.agentloop.common.metrics.ChatMetrics;
import dev.agentloop.common.metrics.Metrics;
import dev.agentloop.common.openai.ApiRouter;
import dev.agentloop.common.openai.ApiServer;
import dev.agentloop.common.openai.GracefulStop;
import dev.agentloop.common.openai.HttpLimits;
import dev.agentloop.common.openai.ChatRoutes;
import dev.agentloop.common.openai.ClientId;
import dev.agentloop.common.openai.LlmClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;

/**
 * The mock's own OpenAI-compatible HTTP port, so it serves any OpenAI client without the gateway.
 * It reaches the models over the event bus like the gateway does, and serves this process's
 * {@code /metrics}, so an llm-only process in a cluster can be scraped on its own.
 */
public final class LlmHttpVerticle extends VerticleBase {

  private HttpServer server;
  private ChatRoutes routes;
  private long graceMs;

  @Override
  public Future<?> start() {
    LlmConfig config = LlmConfig.from(config());
    graceMs = AgentloopConfig.from(config()).shutdownGraceMs();
    HttpLimits limits = HttpLimits.from(config());
    Router router = ApiRouter.create(vertx, limits.bodyLimitBytes());
    Admission admission = Admission.of(vertx, config());
    routes = new ChatRoutes(new LlmClient(vertx, model -> config.httpTimeouts()), limits,
        ChatMetrics.of(Metrics.registry(config()), "llm"))
        .admission(ctx -> admission.admit(Admission.Kind.STREAM, ClientId.of(ctx))::release);
    routes.mount(router);
    router.get("/health/live").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "UP")
        .put("node", NodeState.nodeId(vertx))));
    AgentloopConfig process = AgentloopConfig.from(config());
    if (process.metricsEnabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(process.metricsRegistry()));
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
