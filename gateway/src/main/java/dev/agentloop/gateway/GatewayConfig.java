package dev.agentloop.gateway;

import dev.agentloop.gateway.conversations.ConversationHistory;
import dev.agentloop.front.guards.Admission;
import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.front.guards.GuardsConfig;
import dev.agentloop.front.guards.RateLimits;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.gateway.jobs.JobsConfig;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** The {@code gateway} section, parsed once and checked. */
public record GatewayConfig(String host, int port, int instances, HttpLimits limits,
    StreamTimeouts timeouts, Map<String, StreamTimeouts> modelTimeouts, GuardsConfig guards,
    Admission.Config admission, JobsConfig jobs, long graceMs, boolean metricsEnabled, String metricsRegistry,
    ConversationHistory.Window history) {

  public static GatewayConfig from(JsonObject root) {
    Settings gateway = Settings.root(root).section("gateway");
    StreamTimeouts timeouts = StreamTimeouts.from(gateway.section("timeouts"), StreamTimeouts.DEFAULT);
    Map<String, StreamTimeouts> perModel = new HashMap<>();
    Settings models = gateway.section("models");
    for (String model : models.json().fieldNames()) {
      perModel.put(model, StreamTimeouts.from(models.section(model).section("timeouts"), timeouts));
    }
    AgentloopConfig process = AgentloopConfig.from(root);
    return new GatewayConfig(
        gateway.string("host", "0.0.0.0"),
        gateway.integer("port", 8080, 0, 65535),
        gateway.integer("instances", 0, 0, 256),
        HttpLimits.from(root),
        timeouts,
        Map.copyOf(perModel),
        GuardsConfig.from(root),
        Admission.Config.from(root),
        JobsConfig.from(root),
        process.shutdownGraceMs(),
        process.metricsEnabled(),
        process.metricsRegistry(),
        ConversationHistory.Window.from(root));
  }

  public RateLimits.Config rateLimits() {
    return guards.rateLimits();
  }

  public StreamTimeouts timeoutsFor(String model) {
    return modelTimeouts.getOrDefault(model, timeouts);
  }
}
