package dev.agentloop.contract.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The process-wide settings: which services run here, clustering, metrics and shutdown (the
 * pre-stop delay, during which a draining process still serves, then the grace period).
 */
public record AgentloopConfig(
    List<String> services,
    boolean clustered,
    String clusterName,
    String clusterHost,
    int clusterPort,
    List<String> clusterMembers,
    boolean metricsEnabled,
    String metricsRegistry,
    long shutdownGraceMs,
    long shutdownPreStopDelayMs) {

  public static final List<String> KNOWN_SERVICES = List.of("gateway", "llm", "storage");

  public static AgentloopConfig from(JsonObject json) {
    ConfigLoader.rejectRetiredKeys(json);
    Settings root = Settings.root(json);
    List<String> services = root.strings("services", KNOWN_SERVICES);
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
    String clusterName = cluster.string("name", "agentloop");
    if (clusterName.isBlank()) {
      throw cluster.error("name", "must not be empty");
    }
    return new AgentloopConfig(
        services.stream().distinct().toList(),
        cluster.bool("enabled", false),
        clusterName,
        cluster.string("host", "127.0.0.1"),
        cluster.integer("port", 5701, 0, 65535),
        cluster.strings("members", List.of("127.0.0.1")),
        metrics.bool("enabled", true),
        metrics.string("registry_name", "agentloop"),
        shutdown.integer("grace_ms", 10_000, 0, 3_600_000),
        shutdown.integer("pre_stop_delay_ms", 3_000, 0, 3_600_000));
  }

  public boolean runs(String service) {
    return services.contains(service);
  }
}
