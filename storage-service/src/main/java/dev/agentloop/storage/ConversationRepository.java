package dev.agentloop.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Conversations and their messages, whatever holds them. Every future completes on the caller's
 * context; a write completes only once it is durable. Failures are {@code ApiException}s: 404 for an
 * unknown conversation, 503 when the backend cannot be reached.
 *
 * <p>Every conversation has an owner ({@link dev.agentloop.contract.storage.Owners}). Each call but
 * {@link #create} names the owner whose conversations it may touch, or {@code "*"} for all: a
 * conversation of another owner answers exactly as an unknown one (404), and lists hold only the
 * owner's conversations.
 *
 * <p>Shapes: a conversation is {@code {"id","object":"conversation","created_at","title","metadata",
 * "message_count"}}; a stored message is the message as sent plus {@code created_at} (and for the
 * assistant {@code model, finish_reason, usage, complete}).
 */
public interface ConversationRepository {

  /** Opens the backend: builds the index or migrates the schema. */
  Future<Void> start();

  /**
   * A new conversation of {@code owner}. With {@code keyed} (else null), the key is recorded with
   * it and the reply is the recorded response ({@link KeyedWrite#recorded}); a key completed before
   * creates nothing and answers its first response.
   */
  Future<JsonObject> create(String owner, String title, JsonObject metadata, KeyedWrite keyed);

  default Future<JsonObject> create(String owner, String title, JsonObject metadata) {
    return create(owner, title, metadata, null);
  }

  /**
   * The conversation with one page of its messages, oldest first: those at positions
   * {@code after + 1 .. after + limit} (positions count from 1). Also {@code has_more} and
   * {@code last_position}, the {@code after} of the next page.
   */
  Future<JsonObject> page(String owner, String id, long after, int limit);

  /**
   * The conversation with its newest messages that fit in {@code maxMessages} and {@code maxChars}
   * ({@link Window}), oldest first, and {@code history: {"used","dropped"}}. Reads only about as much
   * as it returns.
   */
  Future<JsonObject> window(String owner, String id, int maxMessages, long maxChars);

  /**
   * The owner's conversations (everyone's for {@code "*"}), newest first; {@code after} is the id of
   * the last conversation of the previous page (one the owner cannot see gives an empty page).
   */
  Future<JsonObject> list(String owner, int limit, String after);

  /**
   * The input messages and the assistant's answer, all or nothing. Replies with the new message
   * count; with {@code keyed} (else null) as {@link #create} does: the key is recorded with the turn,
   * and a key completed before stores no second turn.
   */
  Future<JsonObject> appendTurn(String owner, String id, JsonArray input, JsonObject assistant, KeyedWrite keyed);

  /** As {@link #appendTurn(String, String, JsonArray, JsonObject, KeyedWrite)} without a key. */
  default Future<JsonObject> appendTurn(String owner, String id, JsonArray input, JsonObject assistant) {
    return appendTurn(owner, id, input, assistant, null);
  }

  Future<JsonObject> delete(String owner, String id);

  /** Succeeds when the backend can serve requests now. */
  Future<JsonObject> ping();

  Future<Void> close();

  /** A list page from up to {@code limit + 1} rows (the extra one only says there is more). */
  static JsonObject listPage(List<JsonObject> rows, int limit) {
    boolean more = rows.size() > limit;
    JsonArray data = new JsonArray();
    rows.stream().limit(limit).forEach(data::add);
    return new JsonObject().put("object", "list").put("data", data)
        .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
        .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
        .put("has_more", more);
  }

  /** The reply of {@link #page}. */
  static JsonObject messagePage(JsonObject conversation, JsonArray messages, long after, boolean more) {
    return conversation.put("messages", messages).put("has_more", more).put("last_position", after + messages.size());
  }

  /** The reply of {@link #window}. */
  static JsonObject windowReply(JsonObject conversation, JsonArray messages) {
    int dropped = Math.max(0, conversation.getInteger("message_count") - messages.size());
    return conversation.put("messages", messages)
        .put("history", new JsonObject().put("used", messages.size()).put("dropped", dropped));
  }
}
