package dev.agentloop.gateway;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatHook;
import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.SseRelay;
import dev.agentloop.common.storage.ConversationIds;
import dev.agentloop.common.storage.StoredText;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code conversation_id} on a chat completion: the newest stored messages that fit the history
 * window ({@link ConversationHistory}) go before the request's own, the response says how many in
 * {@value ConversationHistory#HEADER}, and the turn (the request's messages plus the answer,
 * {@code complete:false} when it was cut short) is stored when the answer ends. A completed answer
 * is acknowledged only once stored.
 */
final class ConversationHook implements ChatHook {

  private static final Logger LOG = LoggerFactory.getLogger(ConversationHook.class);
  private final StorageClient storage;
  private final ConversationHistory history;

  ConversationHook(StorageClient storage, ConversationHistory history) {
    this.storage = storage;
    this.history = history;
  }

  @Override
  public Future<ChatRequest> before(ChatRequest request, MultiMap responseHeaders) {
    if (request.conversationId() == null) {
      return Future.succeededFuture(request);
    }
    if (!ConversationIds.valid(request.conversationId())) {
      return Future.failedFuture(ApiException.badRequest("Invalid 'conversation_id': expected an id like 'conv_abc123'.",
          "conversation_id", "invalid_value"));
    }
    if (StoredText.hasNul(request.messages())) {
      return Future.failedFuture(ApiException.badRequest(
          "Messages stored in a conversation must not contain the NUL character (U+0000).", "messages", "invalid_value"));
    }
    return history.load(request.conversationId(), request.messages().size()).map(loaded -> {
      responseHeaders.set(ConversationHistory.HEADER, loaded.header());
      JsonArray messages = loaded.messages().copy();
      request.messages().forEach(messages::add);
      return request.withMessages(messages);
    });
  }

  @Override
  public Future<Void> after(ChatRequest request, SseRelay.Outcome outcome) {
    if (request.conversationId() == null) {
      return Future.succeededFuture();
    }
    JsonObject turn = new JsonObject()
        .put("conversation_id", request.conversationId())
        .put("messages", request.messages())
        .put("assistant", new JsonObject()
            .put("content", outcome.content())
            .put("model", request.model())
            .put("finish_reason", outcome.finishReason())
            .put("usage", outcome.usage())
            .put("complete", outcome.completed()));
    return storage.request(Addresses.STORAGE_APPEND, turn)
        .onFailure(failure -> LOG.warn("conversation {}: turn not stored: {}", request.conversationId(),
            failure.getMessage()))
        .mapEmpty();
  }
}
