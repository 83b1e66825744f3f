package dev.agentloop.gateway;

import dev.agentloop.common.config.AgentloopConfig;
import dev.agentloop.common.config.Settings;
import dev.agentloop.common.openai.HttpLimits;
import dev.agentloop.common.stream.StreamTimeouts;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code gateway} section, parsed once and checked. */
public record GatewayConfig(String host, int port, int instances, HttpLimits limits,
    StreamTimeouts timeouts, Map<String, StreamTimeouts> modelTimeouts, List<String> apiKeys, Limits rateLimits,
    long graceMs, boolean metricsEnabled, String metricsRegistry, ConversationHistory.Window history) {

  /** {@code gateway.rate_limits}: per client; 0 turns a limit off. */
  public record Limits(double requestsPerSecond, int burst, int concurrentStreams) {
  }

  public static GatewayConfig from(JsonObject root) {
    Settings gateway = Settings.root(root).section("gateway");
    StreamTimeouts timeouts = StreamTimeouts.from(gateway.section("timeouts"), StreamTimeouts.DEFAULT);
    Map<String, StreamTimeouts> perModel = new HashMap<>();
    Settings models = gateway.section("models");
    for (String model : models.json().fieldNames()) {
      perModel.put(model, StreamTimeouts.from(models.section(model).section("timeouts"), timeouts));
    }
    AgentloopConfig process = AgentloopConfig.from(root);
    Settings rates = gateway.section("rate_limits");
    return new GatewayConfig(
        gateway.string("host", "0.0.0.0"),
        gateway.integer("port", 8080, 0, 65535),
        gateway.integer("instances", 0, 0, 256),
        HttpLimits.from(root),
        timeouts,
        Map.copyOf(perModel),
        apiKeys(gateway),
        new Limits(rates.number("requests_per_second", 0, 0, 1e9), rates.integer("burst", 0, 0, 1_000_000_000),
            rates.integer("concurrent_streams", 0, 0, 1_000_000_000)),
        process.shutdownGraceMs(),
        process.metricsEnabled(),
        process.metricsRegistry(),
        ConversationHistory.Window.from(root));
  }

  private static List<String> apiKeys(Settings gateway) {
    List<String> keys = gateway.strings("api_keys", List.of());
    for (String key : keys) {
      if (key.isBlank() || key.chars().anyMatch(c -> c <= ' ' || c == 127)) {
        throw gateway.error("api_keys", "must hold non-empty keys without spaces or control characters");
      }
    }
    return keys;
  }

  public StreamTimeouts timeoutsFor(String model) {
    return modelTimeouts.getOrDefault(model, timeouts);
  }
}
