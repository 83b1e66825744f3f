package dev.agentloop.gateway.conversations;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.config.Settings;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.gateway.storage.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The stored history a chat or an agent run with a {@code conversation_id} starts from: only the
 * newest messages that fit {@code gateway.conversations.history} ({@code max_messages},
 * {@code max_chars}), and never so many that the history plus the request's own messages pass
 * {@code gateway.limits.max_messages}. The storage-service reads only that window, so a turn costs
 * the same however long the conversation has grown.
 */
public final class ConversationHistory {

  /** Says how much stored history the model got: {@code used=N; dropped=M}. */
  public static final String HEADER = "x-agentloop-history";

  /** {@code gateway.conversations.history}. */
  public record Window(int maxMessages, int maxChars) {

    /** Reads {@code conversations.history} of the {@code gateway} section. */
    public static Window from(Settings gateway) {
      Settings history = gateway.section("conversations").section("history");
      return new Window(history.integer("max_messages", 0, 100_000), history.integer("max_chars", 0, Integer.MAX_VALUE));
    }
  }

  /** The messages to put before the request's own, and how many stored ones were left out. */
  public record Loaded(JsonArray messages, int dropped) {

    public String header() {
      return "used=" + messages.size() + "; dropped=" + dropped;
    }
  }

  private final StorageClient storage;
  private final Window window;
  private final int maxMessages;

  public ConversationHistory(StorageClient storage, Window window, HttpLimits limits) {
    this.storage = storage;
    this.window = window;
    this.maxMessages = limits.maxMessages();
  }

  /**
   * The window of {@code conversationId} for a request that brings {@code ownMessages} of its own;
   * 404 when unknown, or not {@code owner}'s (an owner id, or {@code "*"}).
   */
  public Future<Loaded> load(String owner, String conversationId, int ownMessages) {
    int last = Math.max(0, Math.min(window.maxMessages(), maxMessages - ownMessages));
    JsonObject request = new JsonObject().put("owner", owner).put("id", conversationId).put("last", last)
        .put("max_chars", window.maxChars());
    return storage.request(Addresses.STORAGE_GET, request).map(conversation -> {
      JsonArray messages = new JsonArray();
      for (Object stored : conversation.getJsonArray("messages", new JsonArray())) {
        messages.add(forModel((JsonObject) stored));
      }
      return new Loaded(messages, conversation.getJsonObject("history", new JsonObject()).getInteger("dropped", 0));
    });
  }

  /** A stored message as a model takes it: role and content, and the tool-call fields when present. */
  static JsonObject forModel(JsonObject stored) {
    JsonObject message = new JsonObject().put("role", stored.getValue("role")).put("content", stored.getValue("content"));
    for (String key : new String[] {"tool_calls", "tool_call_id", "name"}) {
      if (stored.getValue(key) != null) {
        message.put(key, stored.getValue(key));
      }
    }
    return message;
  }
}
