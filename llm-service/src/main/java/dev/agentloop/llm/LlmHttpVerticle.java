package dev.agentloop.llm;

import dev.agentloop.common.NodeState;
import dev.agentloop.common.config.AgentloopConfig;
import dev.agentloop.common.metrics.ChatMetrics;
import dev.agentloop.common.metrics.Metrics;
import dev.agentloop.common.openai.ApiRouter;
import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.ChatRoutes;
import dev.agentloop.common.openai.LlmClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
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
  private long graceMs;

  @Override
  public Future<?> start() {
    LlmConfig config = LlmConfig.from(config());
    graceMs = AgentloopConfig.from(config()).shutdownGraceMs();
    Router router = ApiRouter.create(vertx, config.bodyLimitBytes());
    new ChatRoutes(new LlmClient(vertx, model -> config.httpTimeouts()), ChatRequest.DEFAULT_MAX_TOKENS_LIMIT,
        ChatMetrics.of(Metrics.registry(config()), "llm")).mount(router);
    router.get("/health/live").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "UP")
        .put("node", NodeState.nodeId(vertx))));
    AgentloopConfig process = AgentloopConfig.from(config());
    if (process.metricsEnabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(process.metricsRegistry()));
    }
    ApiRouter.finish(router);
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.httpHost()).setPort(config.httpPort()))
        .requestHandler(router);
    return server.listen().onSuccess(s -> NodeState.port(vertx, NodeState.LLM_HTTP_PORT, s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }
}
