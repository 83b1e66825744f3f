package dev.agentloop.gateway.agent;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.front.ChatBodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A checked agent run: {@code {"model", "input" | "messages", "tools"?, "conversation_id"?}}. Without
 * {@code tools} the plan is derived from the input (the mock models write text, not tool calls): the
 * clock always, the calculator for each arithmetic expression, a lookup of the longest word.
 */
public record AgentRequest(String model, JsonArray messages, List<ToolCall> toolCalls, String conversationId) {

  /** One planned tool call. */
  public record ToolCall(String id, String name, JsonObject arguments) {
    JsonObject toJson() {
      return new JsonObject().put("id", id).put("name", name).put("arguments", arguments);
    }
  }

  static final int MAX_TOOL_CALLS = 16;

  public static AgentRequest from(JsonObject body, ChatBodies bodies) {
    Object model = body.getValue("model");
    if (!(model instanceof String m) || m.isBlank()) {
      throw ApiException.badRequest("You must provide a model parameter.", "model", "missing_required_parameter");
    }
    JsonArray messages;
    Object input = body.getValue("input");
    if (input != null) {
      if (!(input instanceof String text) || text.isBlank()) {
        throw ApiException.badRequest("'input' must be a non-empty string.", "input");
      }
      bodies.checkLength(text, "input");
      messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", text));
    } else {
      messages = bodies.chat(new JsonObject().put("model", m).put("messages", body.getValue("messages")), "check")
          .messages();
    }
    Object conversation = body.getValue("conversation_id");
    if (conversation != null && !(conversation instanceof String)) {
      throw ApiException.badRequest("'conversation_id' must be a string.", "conversation_id");
    }
    List<ToolCall> calls = body.getValue("tools") != null ? tools(body.getValue("tools"))
        : derive(ChatRequest.lastUserText(messages));
    return new AgentRequest(m, messages, calls, (String) conversation);
  }

  public JsonObject toJson() {
    JsonArray tools = new JsonArray();
    toolCalls.forEach(call -> tools.add(new JsonObject().put("name", call.name()).put("arguments", call.arguments())));
    return new JsonObject().put("model", model).put("messages", messages).put("tools", tools)
        .put("conversation_id", conversationId);
  }

  private static List<ToolCall> tools(Object value) {
    if (!(value instanceof JsonArray array) || array.size() > MAX_TOOL_CALLS) {
      throw ApiException.badRequest("'tools' must be an array of at most " + MAX_TOOL_CALLS + " tool calls.", "tools");
    }
    List<ToolCall> calls = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String param = "tools[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject call) || !(call.getValue("name") instanceof String name)
          || !MockTools.NAMES.contains(name)) {
        throw ApiException.badRequest("'" + param + "' must be {\"name\": one of " + MockTools.NAMES
            + ", \"arguments\": {...}}.", param);
      }
      Object arguments = call.getValue("arguments", new JsonObject());
      if (!(arguments instanceof JsonObject args)) {
        throw ApiException.badRequest("'" + param + ".arguments' must be an object.", param + ".arguments");
      }
      calls.add(new ToolCall("call_" + (i + 1), name, args));
    }
    return calls;
  }

  private static List<ToolCall> derive(String text) {
    List<ToolCall> calls = new ArrayList<>();
    calls.add(new ToolCall("call_1", "clock", new JsonObject()));
    for (String expression : PlanText.expressions(text, MAX_TOOL_CALLS - 2)) {
      calls.add(new ToolCall("call_" + (calls.size() + 1), "calculator", new JsonObject().put("expression", expression)));
    }
    String longest = PlanText.longestWord(text);
    if (longest.length() >= 4) {
      calls.add(new ToolCall("call_" + (calls.size() + 1), "lookup",
          new JsonObject().put("query", longest.toLowerCase(Locale.ROOT))));
    }
    return calls;
  }

}
