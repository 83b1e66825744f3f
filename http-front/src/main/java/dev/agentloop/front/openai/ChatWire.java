package dev.agentloop.front.openai;

import dev.agentloop.contract.chat.Completion;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The JSON OpenAI's Chat Completions API sends, built in one place for every HTTP front. */
public final class ChatWire {

  public static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private ChatWire() {
  }

  public static JsonObject usage(int promptTokens, int completionTokens) {
    return new JsonObject()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
  }

  public static JsonObject completion(String id, long created, String model, String content, String finishReason,
      JsonObject usage) {
    return completion(id, created, model, List.of(new Completion.Choice(content, null)), finishReason, usage);
  }

  /** A completion with its choices; a choice that calls tools has {@code content: null} and {@code tool_calls}. */
  public static JsonObject completion(String id, long created, String model, List<Completion.Choice> choices,
      String finishReason, JsonObject usage) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < choices.size(); i++) {
      Completion.Choice answer = choices.get(i);
      JsonObject message = new JsonObject().put("role", "assistant").put("content", answer.content());
      if (!answer.toolCalls().isEmpty()) {
        message.put("tool_calls", answer.toolCalls());
      }
      message.put("refusal", null);
      out.add(new JsonObject().put("index", i).put("message", message).put("logprobs", null)
          .put("finish_reason", finishReason));
    }
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", model)
        .put("choices", out)
        .put("usage", usage)
        .put("system_fingerprint", null);
  }

  /** A streamed chunk with one choice; {@code usage} is null unless include_usage asked for it. */
  public static JsonObject chunk(String id, long created, String model, JsonObject delta, String finishReason,
      boolean includeUsage) {
    return chunk(id, created, model, delta, finishReason, includeUsage, 0);
  }

  /** A streamed chunk for choice {@code index} (0 unless {@code n} asked for more). */
  public static JsonObject chunk(String id, long created, String model, JsonObject delta, String finishReason,
      boolean includeUsage, int index) {
    JsonObject choice = new JsonObject().put("index", index).put("delta", delta).put("logprobs", null)
        .put("finish_reason", finishReason);
    JsonObject chunk = new JsonObject()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model)
        .put("system_fingerprint", null)
        .put("choices", new JsonArray().add(choice));
    if (includeUsage) {
      chunk.put("usage", null);
    }
    return chunk;
  }

  public static JsonObject usageChunk(String id, long created, String model, JsonObject usage) {
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model)
        .put("system_fingerprint", null)
        .put("choices", new JsonArray())
        .put("usage", usage);
  }

  /**
   * A recorded completion ({@link #completion}) as the stream that answered it: the role chunk, its
   * content in one chunk, each tool call in two (its start, then all its arguments), the finish chunk, the usage chunk when asked for, and {@code [DONE]}, with
   * the completion's id, created time and model.
   */
  public static Buffer replayStream(JsonObject completion, boolean includeUsage) {
    String id = completion.getString("id");
    long created = completion.getLong("created", 0L);
    String model = completion.getString("model");
    JsonArray choices = completion.getJsonArray("choices", new JsonArray());
    JsonObject choice = choices.isEmpty() ? new JsonObject() : choices.getJsonObject(0);
    String content = choice.getJsonObject("message", new JsonObject()).getString("content", "");
    JsonArray calls = choice.getJsonObject("message", new JsonObject()).getJsonArray("tool_calls", new JsonArray());
    JsonObject role = roleDelta();
    if (content == null && !calls.isEmpty()) {
      role.putNull("content"); // as before tool calls in a live stream
    }
    Buffer events = event(chunk(id, created, model, role, null, includeUsage));
    if (content != null && !content.isEmpty()) {
      events.appendBuffer(event(chunk(id, created, model, contentDelta(content), null, includeUsage)));
    }
    for (int i = 0; i < calls.size(); i++) {
      JsonObject call = calls.getJsonObject(i);
      JsonObject function = call.getJsonObject("function", new JsonObject());
      events.appendBuffer(event(chunk(id, created, model, toolCallStartDelta(i, call.getString("id"),
          function.getString("name")), null, includeUsage)));
      events.appendBuffer(event(chunk(id, created, model, toolArgumentsDelta(i, function.getString("arguments", "")),
          null, includeUsage)));
    }
    events.appendBuffer(event(chunk(id, created, model, new JsonObject(), choice.getString("finish_reason"),
        includeUsage)));
    if (includeUsage) {
      events.appendBuffer(event(usageChunk(id, created, model, completion.getJsonObject("usage"))));
    }
    return events.appendBuffer(DONE);
  }

  public static JsonObject roleDelta() {
    return new JsonObject().put("role", "assistant").put("content", "").put("refusal", null);
  }

  public static JsonObject contentDelta(String token) {
    return new JsonObject().put("content", token);
  }

  /** The first fragment of a tool call: its index, id, type and name, with empty arguments. */
  public static JsonObject toolCallStartDelta(int index, String id, String name) {
    return new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", index).put("id", id)
        .put("type", "function").put("function", new JsonObject().put("name", name).put("arguments", ""))));
  }

  /** A later fragment of a tool call: only its index and a piece of the arguments. */
  public static JsonObject toolArgumentsDelta(int index, String fragment) {
    return new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", index)
        .put("function", new JsonObject().put("arguments", fragment))));
  }

  /** One SSE event. JSON encoding escapes every newline, so the event can never split. */
  public static Buffer event(JsonObject data) {
    String json = data.encode();
    return Buffer.buffer(json.length() + 8).appendString("data: ").appendString(json).appendString("\n\n");
  }

  public static JsonObject model(String id, long created) {
    return new JsonObject().put("id", id).put("object", "model").put("created", created).put("owned_by", "agentloop");
  }
}
