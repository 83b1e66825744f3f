package dev.agentloop.gateway;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.node.Node;
import dev.agentloop.front.ApiRouter;
import dev.agentloop.front.ApiServer;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.front.ClientId;
import dev.agentloop.front.GracefulStop;
import dev.agentloop.front.ServerTiming;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.front.guards.FrontGuards;
import dev.agentloop.front.guards.NodeGuards;
import dev.agentloop.front.openai.ChatMetrics;
import dev.agentloop.front.openai.ChatRoutes;
import dev.agentloop.gateway.admin.AdminRoutes;
import dev.agentloop.gateway.admin.HealthRoutes;
import dev.agentloop.gateway.agent.AgentRoutes;
import dev.agentloop.gateway.chain.Breakers;
import dev.agentloop.gateway.chain.ResilientChatService;
import dev.agentloop.gateway.conversations.ConversationHistory;
import dev.agentloop.gateway.conversations.ConversationHook;
import dev.agentloop.gateway.conversations.ConversationRoutes;
import dev.agentloop.gateway.storage.StorageClient;
import dev.agentloop.gateway.fanout.FanoutRoutes;
import dev.agentloop.gateway.idempotency.Idempotency;
import dev.agentloop.gateway.jobs.JobRoutes;
import dev.agentloop.gateway.settings.GatewaySettings;
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

  private final GatewaySettings config;
  private final Node node;
  private final NodeGuards shared;
  private final ChatMetrics metrics;
  private final Breakers breakers;
  private HttpServer server;
  private ChatRoutes routes;
  private AdminRoutes admin;

  /** {@code shared}, {@code metrics} and {@code breakers} are the node's, built once for every instance. */
  public GatewayVerticle(GatewaySettings config, Node node, NodeGuards shared, ChatMetrics metrics, Breakers breakers) {
    this.config = config;
    this.node = node;
    this.shared = shared;
    this.metrics = metrics;
    this.breakers = breakers;
  }

  @Override
  public Future<?> start() {
    FrontGuards guards = FrontGuards.of(config.front().guards(), shared.rateLimits(), node.registry());
    Router router = guards.router(vertx, config.limits().bodyLimitBytes());
    router.route().order(-1).handler(new ServerTiming());
    StorageClient storage = new StorageClient(vertx);
    // The model chain (breakers, retries, fallbacks, member loss) over the bus client, for chat and fan-out.
    ResilientChatService models = ResilientChatService.create(vertx, config::timeoutsFor, breakers, node.state());
    ConversationHistory history = new ConversationHistory(storage, config.history(), config.limits());
    Admission admission = shared.admission();
    Idempotency idempotency = new Idempotency(vertx, storage, config.idempotency());
    routes = new ChatRoutes(models, config.limits(), metrics, new ConversationHook(storage, history, idempotency))
        .admission(ctx -> admission.admit(Admission.Kind.STREAM, ClientId.of(ctx))::release)
        .embeddingAdmission(ctx -> admission.admit(Admission.Kind.EMBEDDINGS, ClientId.of(ctx))::release);
    routes.mount(router);
    new ConversationRoutes(vertx, storage, config.exportsDir(), config.limits(), idempotency, node).mount(router);
    ChatBodies bodies = new ChatBodies(config.limits());
    long slowReaderMs = config.limits().slowReaderTimeoutMs();
    new FanoutRoutes(vertx, models, bodies, admission).mount(router);
    new AgentRoutes(vertx, bodies, admission, slowReaderMs, idempotency).mount(router);
    new JobRoutes(vertx, bodies, slowReaderMs, idempotency).mount(router);
    new HealthRoutes(vertx, node).mount(router);
    admin = new AdminRoutes(vertx, config, node, guards);
    Future<Void> adminReady = admin.mount(router);
    ApiRouter.finish(router);
    server = ApiServer.create(vertx, config.host(), config.port(), config.limits(), router);
    return Future.join(models.ready(), adminReady.compose(v -> server.listen())
        .onSuccess(s -> node.state().gatewayPort(s.actualPort())));
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
