package dev.agentloop.llm;

import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.StreamProtocol;
import dev.agentloop.llm.embed.EmbeddingConfig;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code llm} section: the chat models and their aliases, the mock's own HTTP port, stream
 * flow-control limits, and the embedding models.
 */
public record LlmConfig(Map<String, ModelSpec> models, String httpHost, int httpPort, int instances,
    int maxBatchTokens, long ackTimeoutMs, ModelAliases aliases, EmbeddingConfig embeddings) {

  /** Reads the {@code llm} section. */
  public static LlmConfig from(Settings llm) {
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
    EmbeddingConfig embeddings = EmbeddingConfig.from(llm.section("embeddings"));
    for (String id : embeddings.models().keySet()) {
      if (models.containsKey(id)) {
        throw llm.error("embeddings.models", "names '" + id + "', a chat model too");
      }
    }
    return new LlmConfig(Map.copyOf(models),
        llm.string("http_host"),
        llm.integer("http_port", 0, 65535),
        llm.integer("instances", 0, 256),
        stream.integer("max_batch_tokens", 1, StreamProtocol.MAX_BATCH_ENTRIES),
        stream.integer("ack_timeout_ms", 1, 3_600_000),
        ModelAliases.from(llm, models),
        embeddings);
  }

  /** The model named {@code name}, or the one an alias gives it, or null. */
  public ModelSpec model(String name) {
    ModelSpec model = models.get(name);
    if (model == null) {
      String aliased = aliases.resolve(name);
      model = aliased == null ? null : models.get(aliased);
    }
    return model;
  }

  /** The chat models' ids, sorted. */
  public List<String> modelIds() {
    return models.keySet().stream().sorted().toList();
  }

  /** Every model's id, chat and embedding, sorted: what {@code /v1/models} lists. */
  public List<String> allModelIds() {
    return Stream.concat(models.keySet().stream(), embeddings.models().keySet().stream())
        .sorted().toList();
  }
}
