package dev.agentloop.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** How a turn becomes stored messages, the same for every backend. */
final class Messages {

  private Messages() {
  }

  /** The input messages then the assistant's, each stamped with {@code createdAt} (seconds). */
  static JsonArray turn(JsonArray input, JsonObject assistant, long createdAt) {
    JsonArray out = new JsonArray();
    for (Object m : input) {
      out.add(((JsonObject) m).copy().put("created_at", createdAt));
    }
    out.add(new JsonObject()
        .put("role", "assistant")
        .put("content", assistant.getString("content", ""))
        .put("created_at", createdAt)
        .put("model", assistant.getString("model"))
        .put("finish_reason", assistant.getString("finish_reason"))
        .put("usage", assistant.getJsonObject("usage"))
        .put("complete", assistant.getBoolean("complete", true)));
    return out;
  }

  static JsonObject conversation(String id, long createdAt, String title, JsonObject metadata, int messageCount) {
    return new JsonObject().put("id", id).put("object", "conversation").put("created_at", createdAt)
        .put("title", title).put("metadata", metadata == null ? new JsonObject() : metadata)
        .put("message_count", messageCount);
  }
}
