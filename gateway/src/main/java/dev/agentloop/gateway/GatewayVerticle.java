package dev.agentloop.gateway;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.NodeState;
import dev.agentloop.common.config.Settings;
import dev.agentloop.common.metrics.ChatMetrics;
import dev.agentloop.common.metrics.Metrics;
import dev.agentloop.common.openai.ApiRouter;
import dev.agentloop.common.openai.ChatRoutes;
import dev.agentloop.common.openai.ChatService;
import dev.agentloop.common.openai.LlmClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's HTTP front: OpenAI's chat and model routes, health, and metrics. One instance per
 * event loop shares the port. Stopping it drains: no new requests, in-flight ones get the grace
 * period to finish.
 */
public final class GatewayVerticle extends VerticleBase {

  private HttpServer server;
  private GatewayConfig config;

  @Override
  public Future<?> start() {
    config = GatewayConfig.from(config());
    Router router = ApiRouter.create(vertx, config.bodyLimitBytes());
    RetryingChatService.Policy retry = RetryingChatService.Policy.from(Settings.root(config()).section("gateway"));
    ChatService llm = new RetryingChatService(vertx, new LlmClient(vertx, config::timeoutsFor), retry,
        Metrics.registry(config()));
    new ChatRoutes(llm, config.maxTokensLimit(),
        ChatMetrics.of(Metrics.registry(config()), "gateway")).mount(router);
    new HealthRoutes(vertx).mount(router);
    if (config.metricsEnabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(config.metricsRegistry()));
    }
    ApiRouter.finish(router);
    // An llm instance leaving gracefully may drop what was routed to it as it unregistered: let the
    // retry treat the timeout like a lost member's.
    Future<Void> leaving = vertx.eventBus().consumer(Addresses.LLM_LEAVING, msg -> NodeState.memberLeft(vertx))
        .completion();
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
        .requestHandler(router);
    return Future.join(leaving, server.listen()
        .onSuccess(s -> NodeState.port(vertx, NodeState.GATEWAY_PORT, s.actualPort())));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(config.graceMs(), TimeUnit.MILLISECONDS);
  }
}
