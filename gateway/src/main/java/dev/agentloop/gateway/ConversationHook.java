package dev.agentloop.gateway;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.guards.Owner;
import dev.agentloop.common.openai.ChatHook;
import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.SseRelay;
import dev.agentloop.common.storage.ConversationIds;
import dev.agentloop.common.storage.StoredText;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code conversation_id} on a chat completion: the newest stored messages that fit the history
 * window ({@link ConversationHistory}) go before the request's own, the response says how many in
 * {@value ConversationHistory#HEADER}, and the turn (the request's messages plus the answer,
 * {@code complete:false} when it was cut short) is stored when the answer ends. A completed answer
 * is acknowledged only once stored. Only the key that owns the conversation (or an admin key) may
 * use it: for any other it is unknown (404).
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
  public Future<Turn> before(ChatRequest request, RoutingContext ctx) {
    if (request.conversationId() == null) {
      return Future.succeededFuture(Turn.of(request));
    }
    if (!ConversationIds.valid(request.conversationId())) {
      return Future.failedFuture(ApiException.badRequest("Invalid 'conversation_id': expected an id like 'conv_abc123'.",
          "conversation_id", "invalid_value"));
    }
    if (StoredText.hasNul(request.messages())) {
      return Future.failedFuture(ApiException.badRequest(
          "Messages stored in a conversation must not contain the NUL character (U+0000).", "messages", "invalid_value"));
    }
    String owner = Owner.of(ctx).scope();
    return history.load(owner, request.conversationId(), request.messages().size()).map(loaded -> {
      ctx.response().headers().set(ConversationHistory.HEADER, loaded.header());
      JsonArray messages = loaded.messages().copy();
      request.messages().forEach(messages::add);
      return new Stored(request, request.withMessages(messages), owner);
    });
  }

  /** A turn of a stored conversation: the answer is stored with the client's own messages. */
  private final class Stored implements Turn {
    private final ChatRequest asked;
    private final ChatRequest withHistory;
    private final String owner;

    Stored(ChatRequest asked, ChatRequest withHistory, String owner) {
      this.asked = asked;
      this.withHistory = withHistory;
      this.owner = owner;
    }

    @Override
    public ChatRequest request() {
      return withHistory;
    }

    @Override
    public Future<Void> after(SseRelay.Outcome outcome, JsonObject completion) {
      JsonObject turn = new JsonObject()
          .put("owner", owner)
          .put("conversation_id", asked.conversationId())
          .put("messages", asked.messages())
          .put("assistant", new JsonObject()
              .put("content", outcome.content())
              .put("model", asked.model())
              .put("finish_reason", outcome.finishReason())
              .put("usage", outcome.usage())
              .put("complete", outcome.completed()));
      return storage.request(Addresses.STORAGE_APPEND, turn)
          .onFailure(failure -> LOG.warn("conversation {}: turn not stored: {}", asked.conversationId(),
              failure.getMessage()))
          .mapEmpty();
    }
  }
}
