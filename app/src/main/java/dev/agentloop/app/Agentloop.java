package dev.agentloop.app;

import dev.agentloop.contract.node.NodeState;
import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.contract.node.BlockedThreads;
import dev.agentloop.contract.node.LoopLagProbe;
import dev.agentloop.contract.node.ObservabilityConfig;
import dev.agentloop.gateway.GatewayConfig;
import dev.agentloop.gateway.GatewayVerticle;
import dev.agentloop.gateway.agent.AgentVerticle;
import dev.agentloop.gateway.jobs.JobsVerticle;
import dev.agentloop.llm.LlmConfig;
import dev.agentloop.llm.LlmHttpVerticle;
import dev.agentloop.llm.LlmVerticle;
import dev.agentloop.storage.StorageConfig;
import dev.agentloop.storage.StorageVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.BindException;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agentloop process: a Vert.x node (clustered or not, with metrics) and the services its
 * configuration names. Tests start it exactly as {@link Main} does.
 */
public final class Agentloop {

  private static final Logger LOG = LoggerFactory.getLogger("agentloop");

  private final Vertx vertx;
  private final AgentloopConfig config;
  private final List<String> frontDeployments = new ArrayList<>();
  private final List<String> backDeployments = new ArrayList<>();
  private final Map<String, String> deploymentIds = new ConcurrentHashMap<>();

  private Agentloop(Vertx vertx, AgentloopConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static Future<Agentloop> start(JsonObject json) {
    AgentloopConfig config = AgentloopConfig.from(json);
    GatewayConfig.from(json);
    LlmConfig.from(json);
    StorageConfig.from(json);
    ObservabilityConfig observability = ObservabilityConfig.from(json);
    Settings cluster = Settings.root(json).section("cluster");
    String nodeId = cluster.string("node_id", "");
    int busPort = cluster.integer("bus_port", 0, 0, 65535);
    return vertx(config, observability, nodeId, busPort).compose(vertx -> {
      BlockedThreads.install(vertx, Metrics.registry(json), observability.blockedTracesKept());
      Agentloop app = new Agentloop(vertx, config);
      return app.deploy(json)
          .onSuccess(v -> LOG.info("agentloop: node {} runs {}{}", NodeState.nodeId(vertx), config.services(),
              config.clustered() ? " in cluster '" + config.clusterName() + "'" : ""))
          .map(app).recover(failure -> {
            // Report the failure now: closing a node whose deployment failed half-way can take long
            // (instances still starting), and the caller is about to exit anyway.
            vertx.close().onFailure(e -> LOG.debug("closing after a failed start: {}", e.toString()));
            return Future.failedFuture(failure);
          });
    });
  }

  private static Future<Vertx> vertx(AgentloopConfig config, ObservabilityConfig observability, String nodeId,
      int busPort) {
    VertxOptions options = new VertxOptions()
        .setBlockedThreadCheckInterval(observability.blockedThreadCheckIntervalMs())
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(observability.maxEventLoopExecuteTimeMs())
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS);
    if (config.metricsEnabled()) {
      options.setMetricsOptions(new MicrometerMetricsOptions()
          .setEnabled(true)
          .setRegistryName(config.metricsRegistry())
          .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
          .addLabels(Label.EB_ADDRESS, Label.HTTP_ROUTE)
          .setJvmMetricsEnabled(true)
          .setNettyMetricsEnabled(true));
    }
    VertxBuilder builder = Vertx.builder();
    if (!config.clustered()) {
      Vertx vertx = builder.with(options).build();
      NodeState.nodeId(vertx, nodeId.isBlank() ? "local" : nodeId);
      return Future.succeededFuture(vertx);
    }
    options.setEventBusOptions(new EventBusOptions().setHost(config.clusterHost()).setPort(busPort));
    HazelcastClusterManager cluster = ClusterSetup.clusterManager(config);
    return builder.with(options).withClusterManager(cluster).buildClustered()
        .recover(failure -> Future.failedFuture(new StartupException("cluster: could not join " + config.clusterMembers()
            + " as " + config.clusterHost() + ": " + failure.getMessage())))
        .onSuccess(vertx -> {
          NodeState.nodeId(vertx, nodeId.isBlank() ? cluster.getNodeId() : nodeId);
          ClusterSetup.watchMembers(vertx, cluster, config);
        });
  }

  private Future<Void> deploy(JsonObject json) {
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    // one probe per event loop: deployment instances are spread over the loops in turn
    Future<Void> chain = deploy("event-loop lag probe", LoopLagProbe::new, loops, json, backDeployments,
        () -> "event-loop lag probe on " + loops + " event loops");
    if (config.runs("storage")) {
      String backend = json.getJsonObject("storage").getString("backend", "local");
      chain = chain.compose(v -> deploy("storage-service", StorageVerticle::new, 1, json, backDeployments,
          () -> "storage-service ready (backend " + backend + ")"));
    }
    if (config.runs("llm")) {
      LlmConfig llm = LlmConfig.from(json);
      int instances = llm.instances() > 0 ? llm.instances() : loops;
      chain = chain.compose(v -> deploy("llm-service", LlmVerticle::new, instances, json, backDeployments,
          () -> "llm-service ready on the event bus: models " + llm.modelIds()));
      if (llm.httpPort() != 0) {
        chain = chain.compose(v -> deploy("llm-service HTTP", LlmHttpVerticle::new, instances, json,
            frontDeployments, () -> "llm-service OpenAI-compatible HTTP on http://" + llm.httpHost() + ":"
                + NodeState.port(vertx, NodeState.LLM_HTTP_PORT)));
      }
    }
    if (config.runs("gateway")) {
      chain = chain.compose(v -> deploy("agent", AgentVerticle::new,
          new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD), json, backDeployments,
          () -> "agent runs on virtual threads"));
      chain = chain.compose(v -> deploy("jobs", JobsVerticle::new, 1, json, backDeployments,
          () -> "background jobs ready"));
      GatewayConfig gateway = GatewayConfig.from(json);
      int instances = gateway.instances() > 0 ? gateway.instances() : loops;
      chain = chain.compose(v -> deploy("gateway", GatewayVerticle::new, instances, json, frontDeployments,
          () -> "gateway listening on http://" + gateway.host() + ":" + NodeState.port(vertx, NodeState.GATEWAY_PORT)
              + " (" + instances + " instances)"));
    }
    return chain;
  }

  private Future<Void> deploy(String service, Supplier<? extends io.vertx.core.Deployable> verticle, int instances,
      JsonObject json, List<String> into, Supplier<String> readyLine) {
    return deploy(service, verticle, new DeploymentOptions().setInstances(instances), json, into, readyLine);
  }

  private Future<Void> deploy(String service, Supplier<? extends io.vertx.core.Deployable> verticle,
      DeploymentOptions options, JsonObject json, List<String> into, Supplier<String> readyLine) {
    return vertx.deployVerticle(verticle, options.setConfig(json))
        .recover(failure -> Future.failedFuture(new StartupException(service + ": " + describe(failure))))
        .map(id -> {
          into.add(id);
          deploymentIds.put(service, id);
          LOG.info(readyLine.get());
          return null;
        });
  }

  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof BindException) {
      return "cannot bind its port (" + root.getMessage() + "): is another process using it?";
    }
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Deployment ids by service name ({@code "llm-service"}, {@code "storage-service"}, {@code "gateway"},
   * ...), for tests and tools that stop one service to watch the others react.
   */
  public Map<String, String> deployments() {
    return Map.copyOf(deploymentIds);
  }

  public int gatewayPort() {
    return NodeState.port(vertx, NodeState.GATEWAY_PORT);
  }

  public int llmHttpPort() {
    return NodeState.port(vertx, NodeState.LLM_HTTP_PORT);
  }

  /**
   * Graceful stop: readiness turns 503 while everything still serves for the pre-stop delay (so a
   * load balancer notices before connections are refused), then the HTTP fronts stop accepting and
   * give in-flight responses the grace period, then the back services stop and the node leaves its
   * cluster.
   */
  public Future<Void> shutdown() {
    NodeState.draining(vertx);
    long preStopMs = config.shutdownPreStopDelayMs();
    // Waited for on a JDK timer, not a Vert.x one: a future bound to an event-loop context could not
    // report the end of vertx.close() below, which stops that loop first.
    Promise<Void> preStop = Promise.promise();
    if (preStopMs > 0) {
      CompletableFuture.runAsync(preStop::complete, CompletableFuture.delayedExecutor(preStopMs, TimeUnit.MILLISECONDS));
    } else {
      preStop.complete();
    }
    return preStop.future().transform(ignored -> undeployAll(frontDeployments))
        .transform(ignored -> undeployAll(backDeployments))
        .transform(ignored -> vertx.close());
  }

  private Future<Void> undeployAll(List<String> ids) {
    List<Future<Void>> stops = ids.stream().map(vertx::undeploy).toList();
    return Future.join(stops).mapEmpty();
  }

  /** A failure to start, phrased for one log line. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message) {
      super(message, null, false, false);
    }
  }
}
