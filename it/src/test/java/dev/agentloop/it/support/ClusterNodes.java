package dev.agentloop.it.support;

import dev.agentloop.contract.config.ConfigLoader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Clustered agentloop nodes in one JVM: the same cluster name (unique per test run), Hazelcast on
 * loopback from a random base port (members auto-increment from it), each node with its own metrics
 * registry and node id.
 */
public final class ClusterNodes {

  private final String name = "agentloop-it-" + UUID.randomUUID();
  private final int basePort = 18000 + ThreadLocalRandom.current().nextInt(0, 95) * 20;

  public String name() {
    return name;
  }

  public int basePort() {
    return basePort;
  }

  /** The configuration of one member running {@code services}; {@code extra} is merged over it. */
  public JsonObject config(String nodeId, List<String> services, JsonObject extra) {
    JsonObject overrides = new JsonObject()
        .put("services", new JsonArray(services))
        .put("llm", new JsonObject().put("http_port", 0))
        .put("cluster", new JsonObject().put("enabled", true).put("name", name).put("host", "127.0.0.1")
            .put("port", basePort).put("members", new JsonArray().add("127.0.0.1")).put("node_id", nodeId));
    return ConfigLoader.merge(overrides, extra.copy());
  }

  public TestApp start(String nodeId, List<String> services, JsonObject extra) {
    return TestApp.start(config(nodeId, services, extra));
  }

  public static MeterRegistry registry(TestApp node) {
    return BackendRegistries.getNow(node.config().getJsonObject("metrics").getString("registry_name"));
  }

  /** Generations that ended on {@code nodeId} (any model), from that node's llm metrics. */
  public static double generations(TestApp node, String nodeId, String outcome) {
    return registry(node).find("agentloop_llm_generations").tag("node", nodeId)
        .tags(outcome == null ? new String[0] : new String[] {"outcome", outcome})
        .counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Generations running now on {@code nodeId}. */
  public static double activeGenerations(TestApp node, String nodeId) {
    Gauge gauge = registry(node).find("agentloop_llm_generations_active").tag("node", nodeId).gauge();
    return gauge == null ? 0 : gauge.value();
  }
}
