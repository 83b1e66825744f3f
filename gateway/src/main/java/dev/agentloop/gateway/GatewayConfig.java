package dev.agentloop.gateway;

import dev.agentloop.common.config.AgentloopConfig;
import dev.agentloop.common.config.Settings;
import dev.agentloop.common.stream.StreamTimeouts;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code gateway} section, parsed once and checked. */
public record GatewayConfig(String host, int port, int instances, long bodyLimitBytes, int maxTokensLimit,
    StreamTimeouts timeouts, Map<String, StreamTimeouts> modelTimeouts, List<String> apiKeys, long graceMs,
    boolean metricsEnabled, String metricsRegistry) {

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
        gateway.integer("body_limit_bytes", 1 << 20, 1024, Integer.MAX_VALUE),
        gateway.integer("max_tokens_limit", 100_000, 1, 10_000_000),
        timeouts,
        Map.copyOf(perModel),
        gateway.strings("api_keys", List.of()),
        process.shutdownGraceMs(),
        process.metricsEnabled(),
        process.metricsRegistry());
  }

  public StreamTimeouts timeoutsFor(String model) {
    return modelTimeouts.getOrDefault(model, timeouts);
  }
}
