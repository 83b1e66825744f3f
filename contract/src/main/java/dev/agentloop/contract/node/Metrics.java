package dev.agentloop.contract.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Finds the Micrometer registry of this Vert.x node, named by {@code metrics.registry_name}. */
public final class Metrics {

  private static final Map<String, MeterRegistry> FALLBACKS = new ConcurrentHashMap<>();

  private Metrics() {
  }

  public static String registryName(JsonObject config) {
    JsonObject metrics = config.getJsonObject("metrics", new JsonObject());
    return metrics.getString("registry_name", "agentloop");
  }

  /**
   * The node's registry; when metrics are off, a private in-memory one of the same name, so code
   * that counts never needs to check.
   */
  public static MeterRegistry registry(JsonObject config) {
    String name = registryName(config);
    MeterRegistry registry = BackendRegistries.getNow(name);
    return registry != null ? registry : FALLBACKS.computeIfAbsent(name, n -> new SimpleMeterRegistry());
  }
}
