package dev.agentloop.gateway;

import dev.agentloop.front.ChatBodies;
import dev.agentloop.gateway.admin.AdminRoutes;
import dev.agentloop.gateway.admin.HealthRoutes;
import dev.agentloop.gateway.conversations.ConversationHistory;
import dev.agentloop.gateway.conversations.ConversationHook;
import dev.agentloop.gateway.conversations.ConversationRoutes;
import dev.agentloop.gateway.conversations.StorageClient;
import dev.agentloop.gateway.fanout.FanoutRoutes;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.node.NodeState;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.front.guards.FrontGuards;
import dev.agentloop.front.openai.ChatMetrics;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.front.ServerTiming;
import dev.agentloop.front.ApiRouter;
import dev.agentloop.front.ApiServer;
import dev.agentloop.front.GracefulStop;
import dev.agentloop.front.openai.ChatRoutes;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.front.ClientId;
import dev.agentloop.gateway.agent.AgentRoutes;
import dev.agentloop.gateway.idempotency.Idempotency;
import dev.agentloop.gateway.idempotency.IdempotencyConfig;
import dev.agentloop.gateway.jobs.JobRoutes;
import dev.agentloop.gateway.chain.ResilientChatService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's HTTP front: OpenAI's chat and model routes, health, and metrics. One instance per
 * event loop shares the port. Stopping it drains: no new requests, in-flight ones get the grace
 * period to finish.
 */
public final class GatewayVerticle extends VerticleBase {

  private HttpServer server;
  private GatewayConfig config;
  private ChatRoutes routes;
  private AdminRoutes admin;

  @Override
  public Future<?> start() {
    config = GatewayConfig.from(config());
    MeterRegistry registry = Metrics.registry(config());
    FrontGuards guards = FrontGuards.of(vertx, config(), registry);
    Router router = guards.router(vertx, config.limits().bodyLimitBytes());
    router.route().order(-1).handler(new ServerTiming());
    StorageClient storage = new StorageClient(vertx);
    // The model chain (breakers, retries, fallbacks, member loss) over the bus client, for chat and fan-out.
    ResilientChatService models = ResilientChatService.create(vertx, config());
    ConversationHistory history = new ConversationHistory(storage, config.history(), config.limits());
    Admission admission = Admission.of(vertx, config());
    Idempotency idempotency = new Idempotency(vertx, storage, IdempotencyConfig.from(config()));
    routes = new ChatRoutes(models, config.limits(), ChatMetrics.of(registry, "gateway"),
        new ConversationHook(storage, history, idempotency))
        .admission(ctx -> admission.admit(Admission.Kind.STREAM, ClientId.of(ctx))::release);
    routes.mount(router);
    new ConversationRoutes(vertx, storage, config(), config.limits(), idempotency).mount(router);
    ChatBodies bodies = ChatBodies.from(config());
    long slowReaderMs = config.limits().slowReaderTimeoutMs();
    new FanoutRoutes(vertx, models, bodies, admission).mount(router);
    new AgentRoutes(vertx, bodies, admission, slowReaderMs, idempotency).mount(router);
    new JobRoutes(vertx, bodies, slowReaderMs, idempotency).mount(router);
    new HealthRoutes(vertx).mount(router);
    admin = new AdminRoutes(vertx, config(), config, guards);
    Future<Void> adminReady = admin.mount(router);
    ApiRouter.finish(router);
    server = ApiServer.create(vertx, config.host(), config.port(), config.limits(), router);
    return Future.join(models.ready(), adminReady.compose(v -> server.listen())
        .onSuccess(s -> NodeState.port(vertx, NodeState.GATEWAY_PORT, s.actualPort())));
  }

  @Override
  public Future<?> stop() {
    if (admin != null) {
      admin.closeFeeds();
    }
    if (server == null) {
      return Future.succeededFuture();
    }
    GracefulStop.abortInFlightBeforeGraceEnds(vertx, routes, config.graceMs());
    return server.shutdown(config.graceMs(), TimeUnit.MILLISECONDS);
  }
}
