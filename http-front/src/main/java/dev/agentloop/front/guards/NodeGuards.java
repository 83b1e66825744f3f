package dev.agentloop.front.guards;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * The guard state one node's fronts and services share: the per-client request rates and the
 * admission of concurrent work. Built once with the node, so two nodes in one JVM count apart.
 */
public record NodeGuards(RateLimits rateLimits, Admission admission) {

  public static NodeGuards create(Vertx vertx, GuardsConfig guards, Admission.Config admission, MeterRegistry registry) {
    return new NodeGuards(RateLimits.create(vertx, guards.rateLimits(), registry), new Admission(admission, registry));
  }
}
