package dev.agentloop.contract.chat;

import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** What an OpenAI-compatible HTTP front needs from the model side. */
public interface ChatService {

  /** Opens a token stream; fails (with an {@code ApiException}) before the first token, or completes. */
  Future<TokenStream> stream(ChatRequest request);

  /** The whole answer. */
  Future<Completion> complete(ChatRequest request);

  /** Stops the generation started for the request with this id, wherever it runs. */
  void cancel(String requestId);

  /**
   * Embeds the inputs of an OpenAI embeddings request ({@code model}, {@code input},
   * {@code dimensions}, {@code encoding_format}), checked by the model's side; fails with an
   * {@code ApiException} in OpenAI's shape.
   */
  Future<Embeddings> embed(JsonObject request);

  /** The models, as OpenAI's {@code data} array. */
  Future<JsonArray> models();
}
