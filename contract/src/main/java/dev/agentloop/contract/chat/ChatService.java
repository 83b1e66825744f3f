package dev.agentloop.contract.chat;

import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/** What an OpenAI-compatible HTTP front needs from the model side. */
public interface ChatService {

  /** Opens a token stream; fails (with an {@code ApiException}) before the first token, or completes. */
  Future<TokenStream> stream(ChatRequest request);

  /** The whole answer. */
  Future<Completion> complete(ChatRequest request);

  /** Stops the generation started for the request with this id, wherever it runs. */
  void cancel(String requestId);

  /** The models, as OpenAI's {@code data} array. */
  Future<JsonArray> models();
}
