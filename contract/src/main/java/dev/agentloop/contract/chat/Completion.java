package dev.agentloop.contract.chat;

import dev.agentloop.contract.stream.Gathered;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole answer: its choices (text, or tool calls with {@code content} null), why it ended, the
 * token counts, and which model produced it. {@link #content()} is the first choice's text.
 */
public record Completion(String model, String finishReason, JsonObject usage, List<Choice> choices) {

  /** One choice: its text (null when it only calls tools) and its tool calls in OpenAI's shape. */
  public record Choice(String content, JsonArray toolCalls) {
    public Choice {
      toolCalls = toolCalls == null ? new JsonArray() : toolCalls;
    }
  }

  public Completion {
    choices = List.copyOf(choices);
  }

  /** A text answer with one choice. */
  public Completion(String model, String content, String finishReason, JsonObject usage) {
    this(model, finishReason, usage, List.of(new Choice(content, null)));
  }

  /** The choices of a gathered stream. */
  public static Completion of(String model, Gathered answer, String finishReason, JsonObject usage) {
    List<Choice> choices = new ArrayList<>(answer.choices());
    for (int i = 0; i < answer.choices(); i++) {
      choices.add(new Choice(answer.content(i), answer.toolCalls(i)));
    }
    return new Completion(model, finishReason, usage, choices);
  }

  /** The first choice's text; null when it only calls tools. */
  public String content() {
    return choices.get(0).content();
  }

  /** The first choice's tool calls, possibly none. */
  public JsonArray toolCalls() {
    return choices.get(0).toolCalls();
  }
}
