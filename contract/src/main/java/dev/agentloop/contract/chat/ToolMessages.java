package dev.agentloop.contract.chat;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The messages of a tool round: an assistant message's {@code tool_calls} (with {@code content}
 * null or absent) and the {@code tool} messages answering them by {@code tool_call_id}. Each is
 * checked alone ({@link #checkCalls}, {@link #checkToolMessage}), and a whole conversation for
 * its pairs ({@link #checkPairs}): every tool message answers a call of the assistant message
 * just before the run of tool messages it is in, and every call gets its answer, as OpenAI requires.
 */
public final class ToolMessages {

  private ToolMessages() {
  }

  /** The {@code tool_calls} of an assistant message, when it has any: function calls with an id, a name and arguments. */
  static void checkCalls(JsonObject message, String param) {
    Object value = message.getValue("tool_calls");
    if (value == null) {
      return;
    }
    String p = param + ".tool_calls";
    if (!(value instanceof JsonArray calls)) {
      throw ApiException.badRequest("Invalid type for '" + p + "': expected an array.", p, "invalid_type");
    }
    if (calls.isEmpty()) {
      throw ApiException.badRequest("Invalid '" + p + "': empty array. Expected an array with minimum length 1, but "
          + "got an empty array instead.", p, "empty_array");
    }
    for (int i = 0; i < calls.size(); i++) {
      String c = p + "[" + i + "]";
      if (!(calls.getValue(i) instanceof JsonObject call)) {
        throw ApiException.badRequest("Invalid type for '" + c + "': expected an object.", c, "invalid_type");
      }
      string(call, "id", c);
      Object type = call.getValue("type");
      if (type == null) {
        throw missing(c + ".type");
      }
      if (!"function".equals(type)) {
        throw ApiException.badRequest("Invalid value: '" + type + "'. Supported values are: 'function'.",
            c + ".type", "invalid_value");
      }
      if (!(call.getValue("function") instanceof JsonObject function)) {
        throw missing(c + ".function");
      }
      ChatOptions.name(function.getValue("name"), c + ".function.name");
      string(function, "arguments", c + ".function");
    }
  }

  /** A tool message names the call it answers. */
  static void checkToolMessage(JsonObject message, String param) {
    string(message, "tool_call_id", param);
  }

  /** Every tool message answers a call just before it, and every call is answered before the next other message. */
  public static void checkPairs(JsonArray messages) {
    Set<String> open = new LinkedHashSet<>();
    int caller = -1;
    for (int i = 0; i < messages.size(); i++) {
      JsonObject message = messages.getJsonObject(i);
      Object role = message.getValue("role");
      if ("tool".equals(role)) {
        if (!open.remove(message.getString("tool_call_id"))) {
          throw ApiException.badRequest("Invalid parameter: messages with role 'tool' must be a response to a "
              + "preceeding message with 'tool_calls'.", "messages.[" + i + "].role");
        }
        continue;
      }
      unanswered(open, caller);
      caller = -1;
      if ("assistant".equals(role) && message.getValue("tool_calls") instanceof JsonArray calls) {
        caller = i;
        for (Object call : calls) {
          open.add(((JsonObject) call).getString("id"));
        }
      }
    }
    unanswered(open, caller);
  }

  private static void unanswered(Set<String> open, int caller) {
    if (!open.isEmpty()) {
      List<String> ids = new ArrayList<>(open);
      throw ApiException.badRequest("An assistant message with 'tool_calls' must be followed by tool messages "
          + "responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
          + String.join(", ", ids), "messages.[" + caller + "].role");
    }
  }

  private static void string(JsonObject object, String key, String param) {
    Object value = object.getValue(key);
    if (value == null) {
      throw missing(param + "." + key);
    }
    if (!(value instanceof String)) {
      throw ApiException.badRequest("Invalid type for '" + param + "." + key + "': expected a string.",
          param + "." + key, "invalid_type");
    }
  }

  private static ApiException missing(String param) {
    return ApiException.badRequest("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
  }
}
