package dev.agentloop.gateway.settings;

import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.node.ObservabilityConfig;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.front.FrontSettings;
import dev.agentloop.gateway.chain.ResilienceConfig;
import dev.agentloop.gateway.conversations.ConversationHistory;
import dev.agentloop.gateway.idempotency.IdempotencyConfig;
import dev.agentloop.gateway.jobs.JobsConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code gateway} section, read once into records, with what the gateway takes from the rest
 * of the process: where exports go ({@code storage.data_dir}), the shutdown grace, metrics and
 * observability. Every gateway verticle is built from it; none reads {@code config()}. It sits in
 * a package of its own, above the feature packages whose records it holds, so none of them needs
 * to import the gateway's root.
 */
public record GatewaySettings(String host, int port, int instances, FrontSettings front,
    Map<String, StreamTimeouts> modelTimeouts, ConversationHistory.Window history, IdempotencyConfig idempotency,
    JobsConfig jobs, ResilienceConfig resilience, Path exportsDir, long graceMs,
    boolean metricsEnabled, String metricsRegistry, ObservabilityConfig observability) {

  /**
   * {@code gateway} is the section, {@code front} what both fronts share (read from it too).
   */
  public static GatewaySettings from(Settings gateway, FrontSettings front, AgentloopConfig process,
      ObservabilityConfig observability, Path dataDir) {
    Map<String, StreamTimeouts> perModel = new HashMap<>();
    Settings models = gateway.section("models");
    for (String model : models.json().fieldNames()) {
      perModel.put(model, StreamTimeouts.from(models.section(model).section("timeouts"), front.timeouts()));
    }
    return new GatewaySettings(
        gateway.string("host"),
        gateway.integer("port", 0, 65535),
        gateway.integer("instances", 0, 256),
        front,
        Map.copyOf(perModel),
        ConversationHistory.Window.from(gateway),
        IdempotencyConfig.from(gateway),
        JobsConfig.from(gateway),
        ResilienceConfig.from(gateway),
        dataDir.toAbsolutePath().normalize().resolve("exports"),
        process.shutdownGraceMs(),
        process.metricsEnabled(),
        process.metricsRegistry(),
        observability);
  }

  public HttpLimits limits() {
    return front.limits();
  }

  public StreamTimeouts timeoutsFor(String model) {
    return modelTimeouts.getOrDefault(model, front.timeouts());
  }
}
