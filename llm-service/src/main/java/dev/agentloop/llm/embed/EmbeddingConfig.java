package dev.agentloop.llm.embed;

import dev.agentloop.contract.config.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code llm.embeddings} section: the embedding models with their dimensions, the bounds of a
 * request, and the worker threads that make the vectors (with the most requests one llm instance
 * holds at once, waiting or running; past it a 429).
 */
public record EmbeddingConfig(Map<String, Integer> models, int maxInputs, int maxInputChars, int maxInputTokens,
    int workerThreads, int maxPending) {

  /** Most dimensions a model may have. */
  public static final int MAX_DIMENSIONS = 16_384;

  public static EmbeddingConfig from(Settings embeddings) {
    Map<String, Integer> models = new LinkedHashMap<>();
    for (Settings model : embeddings.list("models")) {
      String id = model.string("id", null);
      if (id == null || id.isBlank()) {
        throw model.error("id", "is required");
      }
      if (models.putIfAbsent(id, model.integer("dimensions", 1536, 1, MAX_DIMENSIONS)) != null) {
        throw embeddings.error("models", "names '" + id + "' twice");
      }
    }
    return new EmbeddingConfig(Map.copyOf(models),
        embeddings.integer("max_inputs", 1, 1_000_000),
        embeddings.integer("max_input_chars", 1, 1 << 26),
        embeddings.integer("max_input_tokens", 1, 1 << 24),
        embeddings.integer("worker_threads", 1, 256),
        embeddings.integer("max_pending", 1, 1_000_000));
  }
}
