package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** How a turn becomes stored messages, the same for every backend. */
final class Messages {

  private Messages() {
  }

  /**
   * Refuses, with a 400 naming the field, a turn holding anything {@link #turn} and the backends
   * cannot store as it is: each input message is checked as a chat message (role, content), and
   * the assistant's {@code content}, {@code model}, {@code finish_reason} must be strings,
   * {@code usage} an object and {@code complete} a boolean, when present; its {@code tool_calls},
   * when present, are checked as a chat message's.
   */
  static void checkTurn(JsonArray input, JsonObject assistant) {
    for (int i = 0; i < input.size(); i++) {
      ChatRequest.checkMessage(input.getValue(i), "messages[" + i + "]");
    }
    for (String key : new String[] {"content", "model", "finish_reason"}) {
      expect(assistant, key, String.class, "a string");
    }
    expect(assistant, "usage", JsonObject.class, "an object");
    expect(assistant, "complete", Boolean.class, "a boolean");
    if (assistant.getValue("tool_calls") != null) {
      ChatRequest.checkMessage(new JsonObject().put("role", "assistant").put("content", assistant.getValue("content"))
          .put("tool_calls", assistant.getValue("tool_calls")), "assistant");
    }
  }

  private static void expect(JsonObject assistant, String key, Class<?> type, String what) {
    Object value = assistant.getValue(key);
    if (value != null && !type.isInstance(value)) {
      throw ApiException.badRequest("Invalid type for 'assistant." + key + "': expected " + what + ".",
          "assistant." + key, "invalid_type");
    }
  }

  /** The input messages then the assistant's, each stamped with {@code createdAt} (seconds). */
  static JsonArray turn(JsonArray input, JsonObject assistant, long createdAt) {
    JsonArray out = new JsonArray();
    for (Object m : input) {
      out.add(((JsonObject) m).copy().put("created_at", createdAt));
    }
    Object calls = assistant.getValue("tool_calls");
    JsonObject answer = new JsonObject()
        .put("role", "assistant")
        .put("content", calls != null ? assistant.getValue("content") : assistant.getString("content", ""));
    if (calls != null) {
      answer.put("tool_calls", calls);
    }
    out.add(answer
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
