package dev.agentloop.llm;

import dev.agentloop.contract.chat.LlmClient;
import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.node.Node;
import dev.agentloop.front.ApiRouter;
import dev.agentloop.front.ApiServer;
import dev.agentloop.front.ClientId;
import dev.agentloop.front.FrontSettings;
import dev.agentloop.front.GracefulStop;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.front.guards.FrontGuards;
import dev.agentloop.front.guards.NodeGuards;
import dev.agentloop.front.openai.ChatMetrics;
import dev.agentloop.front.openai.ChatRoutes;
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

  private final LlmConfig config;
  private final FrontSettings front;
  private final AgentloopConfig process;
  private final Node node;
  private final NodeGuards shared;
  private final ChatMetrics metrics;
  private HttpServer server;
  private ChatRoutes routes;

  /** {@code shared} and {@code metrics} are the node's, built once for every instance of this front. */
  public LlmHttpVerticle(LlmConfig config, FrontSettings front, AgentloopConfig process, Node node, NodeGuards shared,
      ChatMetrics metrics) {
    this.config = config;
    this.front = front;
    this.process = process;
    this.node = node;
    this.shared = shared;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    HttpLimits limits = front.limits();
    FrontGuards guards = FrontGuards.of(front.guards(), shared.rateLimits(), node.registry());
    Router router = guards.router(vertx, limits.bodyLimitBytes());
    Admission admission = shared.admission();
    routes = new ChatRoutes(new LlmClient(vertx, model -> front.timeouts()), limits, metrics)
        .admission(ctx -> admission.admit(Admission.Kind.STREAM, ClientId.of(ctx))::release)
        .embeddingAdmission(ctx -> admission.admit(Admission.Kind.EMBEDDINGS, ClientId.of(ctx))::release);
    routes.mount(router);
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")
        .put("node", node.id())));
    if (process.metricsEnabled()) {
      guards.mountMetrics(router, process.metricsRegistry());
    }
    ApiRouter.finish(router);
    server = ApiServer.create(vertx, config.httpHost(), config.httpPort(), limits, router);
    return server.listen().onSuccess(s -> node.state().llmHttpPort(s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    GracefulStop.abortInFlightBeforeGraceEnds(vertx, routes, process.shutdownGraceMs());
    return server.shutdown(process.shutdownGraceMs(), TimeUnit.MILLISECONDS);
  }
}
