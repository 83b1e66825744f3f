package dev.agentloop.app;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.node.BlockedThreads;
import dev.agentloop.contract.node.LoopLagProbe;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.node.ObservabilityConfig;
import dev.agentloop.front.FrontSettings;
import dev.agentloop.front.guards.NodeGuards;
import dev.agentloop.front.openai.ChatMetrics;
import dev.agentloop.gateway.GatewayVerticle;
import dev.agentloop.gateway.agent.AgentVerticle;
import dev.agentloop.gateway.chain.Breakers;
import dev.agentloop.gateway.jobs.JobsVerticle;
import dev.agentloop.gateway.settings.GatewaySettings;
import dev.agentloop.llm.LlmConfig;
import dev.agentloop.llm.LlmHttpVerticle;
import dev.agentloop.llm.LlmMetrics;
import dev.agentloop.llm.LlmVerticle;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
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
import dev.agentloop.storage.StorageVerticle;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agentloop process: a Vert.x node (clustered or not, with metrics), the {@link Node} object
 * its verticles share, and the services its configuration names. The configuration is read once
 * into {@link AgentloopSettings}; each verticle is built from its records and the node. Tests
 * start it exactly as {@link Main} does, several in one JVM if they like: nothing is shared
 * between two of them.
 */
public final class Agentloop {

  private static final Logger LOG = LoggerFactory.getLogger("agentloop");

  private final Vertx vertx;
  private final AgentloopSettings settings;
  private final AgentloopConfig config;
  private final Node node;
  private final List<String> frontDeployments = new ArrayList<>();
  private final List<String> backDeployments = new ArrayList<>();
  private final Map<String, String> deploymentIds = new ConcurrentHashMap<>();

  private Agentloop(Vertx vertx, AgentloopSettings settings, Node node) {
    this.vertx = vertx;
    this.settings = settings;
    this.config = settings.process();
    this.node = node;
  }

  /** {@code json} is the merged configuration; it is read (and every key checked) once, here. */
  public static Future<Agentloop> start(JsonObject json) {
    AgentloopSettings settings = AgentloopSettings.from(json);
    AgentloopConfig config = settings.process();
    ObservabilityConfig observability = settings.observability();
    return vertx(config, observability).compose(built -> {
      Vertx vertx = built.vertx();
      MeterRegistry registry = Metrics.registry(config);
      // the one internal Vert.x API left: the blocked-thread checker of the node just built
      BlockedThreads blocked = BlockedThreads.install(vertx, registry, observability.blockedTracesKept());
      String id = !config.nodeId().isBlank() ? config.nodeId() : built.cluster() != null ? built.cluster().getNodeId()
          : "local";
      Node node = new Node(id, registry, blocked, built.cluster());
      if (built.cluster() != null) {
        ClusterSetup.watchMembers(node, built.cluster(), config);
      }
      Agentloop app = new Agentloop(vertx, settings, node);
      return app.deploy()
          .onSuccess(v -> LOG.info("agentloop: node {} runs {}{}", node.id(), config.services(),
              config.clustered() ? " in cluster '" + config.clusterName() + "'" : ""))
          .map(app).recover(failure -> {
            // Report the failure now: closing a node whose deployment failed half-way can take long
            // (instances still starting), and the caller is about to exit anyway.
            vertx.close().onFailure(e -> LOG.debug("closing after a failed start: {}", e.toString()));
            return Future.failedFuture(failure);
          });
    });
  }

  private record Built(Vertx vertx, HazelcastClusterManager cluster) {
  }

  private static Future<Built> vertx(AgentloopConfig config, ObservabilityConfig observability) {
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
      return Future.succeededFuture(new Built(builder.with(options).build(), null));
    }
    options.setEventBusOptions(new EventBusOptions().setHost(config.clusterHost()).setPort(config.clusterBusPort()));
    HazelcastClusterManager cluster = ClusterSetup.clusterManager(config);
    return builder.with(options).withClusterManager(cluster).buildClustered()
        .recover(failure -> Future.failedFuture(new StartupException("cluster: could not join " + config.clusterMembers()
            + " as " + config.clusterHost() + ": " + failure.getMessage())))
        .map(vertx -> new Built(vertx, cluster));
  }

  private Future<Void> deploy() {
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    MeterRegistry registry = node.registry();
    long lagProbeMs = settings.observability().lagProbeIntervalMs();
    // one probe per event loop: deployment instances are spread over the loops in turn
    Future<Void> chain = deploy("event-loop lag probe", () -> new LoopLagProbe(lagProbeMs, registry), loops,
        backDeployments, () -> "event-loop lag probe on " + loops + " event loops");
    if (config.runs(Services.STORAGE)) {
      chain = chain.compose(v -> deploy(Services.STORAGE_SERVICE, () -> new StorageVerticle(settings.storage()), 1,
          backDeployments, () -> "storage-service ready (backend " + settings.storage().backend() + ")"));
    }
    FrontSettings front = settings.front();
    LlmConfig llm = settings.llm();
    boolean fronts = config.runs(Services.GATEWAY) || config.runs(Services.LLM) && llm.httpPort() != 0;
    // what both fronts (and the jobs) of this node count together
    NodeGuards guards = fronts ? NodeGuards.create(vertx, front.guards(), front.admission(), registry) : null;
    if (config.runs(Services.LLM)) {
      int instances = llm.instances() > 0 ? llm.instances() : loops;
      LlmMetrics metrics = new LlmMetrics(registry, node.id());
      int maxTokens = front.limits().maxTokensLimit();
      chain = chain.compose(v -> deploy(Services.LLM_SERVICE,
          () -> new LlmVerticle(llm, maxTokens, config.shutdownGraceMs(), node, metrics), instances, backDeployments,
          () -> "llm-service ready on the event bus: models " + llm.allModelIds()));
      if (llm.httpPort() != 0) {
        ChatMetrics chat = new ChatMetrics(registry, Services.LLM);
        chain = chain.compose(v -> deploy("llm-service HTTP",
            () -> new LlmHttpVerticle(llm, front, config, node, guards, chat), instances, frontDeployments,
            () -> "llm-service OpenAI-compatible HTTP on http://" + llm.httpHost() + ":" + node.state().llmHttpPort()));
      }
    }
    if (config.runs(Services.GATEWAY)) {
      GatewaySettings gateway = settings.gateway();
      Breakers breakers = new Breakers(registry, gateway.resilience());
      ChatMetrics chat = new ChatMetrics(registry, Services.GATEWAY);
      chain = chain.compose(v -> deploy("agent", () -> new AgentVerticle(gateway, node, breakers),
          new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD), backDeployments,
          () -> "agent runs on virtual threads"));
      chain = chain.compose(v -> deploy("jobs", () -> new JobsVerticle(gateway.jobs(), gateway.limits(),
          gateway::timeoutsFor, node, guards.admission(), breakers), 1,
          backDeployments, () -> "background jobs ready"));
      int instances = gateway.instances() > 0 ? gateway.instances() : loops;
      chain = chain.compose(v -> deploy("gateway", () -> new GatewayVerticle(gateway, node, guards, chat, breakers),
          instances, frontDeployments, () -> "gateway listening on http://" + gateway.host() + ":"
              + node.state().gatewayPort() + " (" + instances + " instances)"));
    }
    return chain;
  }

  private Future<Void> deploy(String service, Supplier<? extends Deployable> verticle, int instances,
      List<String> into, Supplier<String> readyLine) {
    return deploy(service, verticle, new DeploymentOptions().setInstances(instances), into, readyLine);
  }

  private Future<Void> deploy(String service, Supplier<? extends Deployable> verticle, DeploymentOptions options,
      List<String> into, Supplier<String> readyLine) {
    return vertx.deployVerticle(verticle, options)
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

  /** This process's node: its id, registry, state and what its verticles share. */
  public Node node() {
    return node;
  }

  /** The settings this process runs with, read once at start. */
  public AgentloopSettings settings() {
    return settings;
  }

  /**
   * Deployment ids by service name ({@code "llm-service"}, {@code "storage-service"}, {@code "gateway"},
   * ...), for tests and tools that stop one service to watch the others react.
   */
  public Map<String, String> deployments() {
    return Map.copyOf(deploymentIds);
  }

  public int gatewayPort() {
    return node.state().gatewayPort();
  }

  public int llmHttpPort() {
    return node.state().llmHttpPort();
  }

  /**
   * Graceful stop: readiness turns 503 while everything still serves for the pre-stop delay (so a
   * load balancer notices before connections are refused), then the HTTP fronts stop accepting and
   * give in-flight responses the grace period, then the back services stop and the node leaves its
   * cluster.
   */
  public Future<Void> shutdown() {
    node.state().draining();
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
