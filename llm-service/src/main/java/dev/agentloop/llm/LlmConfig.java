package dev.agentloop.llm;

import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.StreamProtocol;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code llm} section: the models, the mock's own HTTP port, and stream flow-control limits. */
public record LlmConfig(Map<String, ModelSpec> models, String httpHost, int httpPort, int instances,
    int maxBatchTokens, long ackTimeoutMs, StreamTimeouts httpTimeouts) {

  public static LlmConfig from(JsonObject root) {
    Settings llm = Settings.root(root).section("llm");
    Map<String, ModelSpec> models = new LinkedHashMap<>();
    for (Settings model : llm.list("models")) {
      ModelSpec spec = ModelSpec.from(model);
      if (models.putIfAbsent(spec.id(), spec) != null) {
        throw llm.error("models", "names '" + spec.id() + "' twice");
      }
    }
    if (models.isEmpty()) {
      throw llm.error("models", "must list at least one model");
    }
    Settings stream = llm.section("stream");
    Settings gateway = Settings.root(root).section("gateway");
    return new LlmConfig(Map.copyOf(models),
        llm.string("http_host", "127.0.0.1"),
        llm.integer("http_port", 8081, 0, 65535),
        llm.integer("instances", 0, 0, 256),
        stream.integer("max_batch_tokens", 256, 1, StreamProtocol.MAX_BATCH_ENTRIES),
        stream.integer("ack_timeout_ms", 60_000, 1, 3_600_000),
        StreamTimeouts.from(gateway.section("timeouts"), StreamTimeouts.DEFAULT));
  }

  public List<String> modelIds() {
    return models.keySet().stream().sorted().toList();
  }
}
