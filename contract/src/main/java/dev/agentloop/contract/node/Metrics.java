package dev.agentloop.contract.node;

import dev.agentloop.contract.config.AgentloopConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/** Finds the Micrometer registry of a Vert.x node, named by {@code metrics.registry_name}. */
public final class Metrics {

  private Metrics() {
  }

  /**
   * The registry of the node just built with {@code config}; when metrics are off, a private
   * in-memory one of its own, so code that counts never needs to check.
   */
  public static MeterRegistry registry(AgentloopConfig config) {
    MeterRegistry registry = config.metricsEnabled() ? BackendRegistries.getNow(config.metricsRegistry()) : null;
    return registry != null ? registry : new SimpleMeterRegistry();
  }
}
