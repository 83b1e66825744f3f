package dev.agentloop.gateway.conversations;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.front.guards.Owner;
import dev.agentloop.front.openai.ChatHook;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.front.JsonBody;
import dev.agentloop.front.openai.SseRelay;
import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.contract.storage.StoredText;
import dev.agentloop.gateway.idempotency.Attempt;
import dev.agentloop.gateway.idempotency.Idempotency;
import dev.agentloop.gateway.storage.StorageClient;
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
 * use it: for any other it is unknown (404). With an {@code Idempotency-Key}, a retried turn is
 * stored once and answered with the first answer ({@link Idempotency}).
 */
public final class ConversationHook implements ChatHook {

  private static final Logger LOG = LoggerFactory.getLogger(ConversationHook.class);
  static final String ROUTE = "POST /v1/chat/completions";
  private final StorageClient storage;
  private final ConversationHistory history;
  private final Idempotency idempotency;

  public ConversationHook(StorageClient storage, ConversationHistory history, Idempotency idempotency) {
    this.storage = storage;
    this.history = history;
    this.idempotency = idempotency;
  }

  @Override
  public Future<Turn> before(ChatRequest request, RoutingContext ctx) {
    if (request.conversationId() == null) { // nothing is stored: a key is checked, and needs nothing else
      try {
        Idempotency.key(ctx);
      } catch (ApiException e) {
        return Future.failedFuture(e);
      }
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
    return idempotency.begin(ctx, ROUTE, JsonBody.parsed(ctx)).compose(attempt -> {
      if (attempt.replay() != null) {
        ctx.response().putHeader(Idempotency.REPLAYED, "true");
        return Future.succeededFuture(new Replayed(request, attempt.replay().getJsonObject("body")));
      }
      return history.load(owner, request.conversationId(), request.messages().size()).<Turn>map(loaded -> {
        ctx.response().headers().set(ConversationHistory.HEADER, loaded.header());
        JsonArray messages = loaded.messages().copy();
        request.messages().forEach(messages::add);
        return new Stored(request, request.withMessages(messages), owner, attempt);
      }).recover(e -> attempt.release().transform(v -> Future.failedFuture(e)));
    });
  }

  /** The first answer of this request's idempotency key, sent again instead of asking the model. */
  private record Replayed(ChatRequest request, JsonObject replay) implements Turn {
  }

  /**
   * A turn of a stored conversation: the answer is stored with the client's own messages, and with
   * the request's idempotency key its completion, in one write. With a key, an answer cut short is
   * not stored and the key is released, so the client's retry stores the turn once.
   */
  private final class Stored implements Turn {
    private final ChatRequest asked;
    private final ChatRequest withHistory;
    private final String owner;
    private final Attempt attempt;

    Stored(ChatRequest asked, ChatRequest withHistory, String owner, Attempt attempt) {
      this.asked = asked;
      this.withHistory = withHistory;
      this.owner = owner;
      this.attempt = attempt;
    }

    @Override
    public ChatRequest request() {
      return withHistory;
    }

    @Override
    public Future<Void> abandoned() {
      return attempt.release();
    }

    @Override
    public Future<Void> after(SseRelay.Outcome outcome, JsonObject completion) {
      if (attempt.keyed() && (!outcome.completed() || completion == null)) {
        return attempt.release();
      }
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
      if (!outcome.toolCalls().isEmpty()) {
        turn.getJsonObject("assistant").put("tool_calls", outcome.toolCalls());
      }
      return attempt.write(200, completion, keyed -> storage.request(Addresses.STORAGE_APPEND,
              keyed == null ? turn : turn.put("idempotency", keyed)))
          .onFailure(failure -> LOG.warn("conversation {}: turn not stored: {}", asked.conversationId(),
              failure.getMessage()))
          .mapEmpty();
    }
  }
}
