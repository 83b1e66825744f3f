package dev.agentloop.contract.config;

import dev.agentloop.contract.Services;
import java.util.List;

/**
 * The process-wide settings: which services run here, clustering (and the node id, empty for the
 * cluster member id), metrics and shutdown (the pre-stop delay, during which a draining process
 * still serves, then the grace period).
 */
public record AgentloopConfig(
    List<String> services,
    boolean clustered,
    String clusterName,
    String clusterHost,
    int clusterPort,
    List<String> clusterMembers,
    int clusterBusPort,
    String nodeId,
    boolean metricsEnabled,
    String metricsRegistry,
    long shutdownGraceMs,
    long shutdownPreStopDelayMs) {

  public static final List<String> KNOWN_SERVICES = Services.ALL;

  /** Reads the top-level {@code services} and the {@code cluster}, {@code metrics} and {@code shutdown} sections. */
  public static AgentloopConfig from(Settings root) {
    List<String> services = root.strings("services");
    if (services.isEmpty()) {
      throw root.error("services", "must name at least one of " + KNOWN_SERVICES);
    }
    for (String service : services) {
      if (!KNOWN_SERVICES.contains(service)) {
        throw root.error("services", "must name only " + KNOWN_SERVICES + ", got '" + service + "'");
      }
    }
    Settings cluster = root.section("cluster");
    Settings metrics = root.section("metrics");
    Settings shutdown = root.section("shutdown");
    String clusterName = cluster.string("name");
    if (clusterName.isBlank()) {
      throw cluster.error("name", "must not be empty");
    }
    return new AgentloopConfig(
        services.stream().distinct().toList(),
        cluster.bool("enabled"),
        clusterName,
        cluster.string("host"),
        cluster.integer("port", 0, 65535),
        cluster.strings("members"),
        cluster.integer("bus_port", 0, 65535),
        cluster.string("node_id").trim(),
        metrics.bool("enabled"),
        metrics.string("registry_name"),
        shutdown.integer("grace_ms", 0, 3_600_000),
        shutdown.integer("pre_stop_delay_ms", 0, 3_600_000));
  }

  public boolean runs(String service) {
    return services.contains(service);
  }
}
