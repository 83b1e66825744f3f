package dev.agentloop.contract.stream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole answer gathered from its entries: per choice, the text and the tool calls in OpenAI's
 * {@code message.tool_calls} shape ({@code {"id","type":"function","function":{"name","arguments"}}}),
 * in index order. Events are not part of an answer. Holds what the stream carried, no more: the
 * stream's own bounds bound it.
 */
public final class Gathered {

  private final List<StringBuilder> texts = new ArrayList<>();
  private final List<JsonArray> calls = new ArrayList<>();

  public void add(Delta delta) {
    switch (delta) {
      case Delta.Text text -> text(text.choice()).append(text.text());
      case Delta.ToolCallStart start -> {
        JsonArray list = calls(start.choice());
        while (list.size() <= start.index()) {
          list.add((Object) null);
        }
        list.set(start.index(), new JsonObject().put("id", start.id()).put("type", "function")
            .put("function", new JsonObject().put("name", start.name()).put("arguments", "")));
      }
      case Delta.ToolArguments args -> {
        JsonArray list = calls(args.choice());
        if (args.index() < list.size() && list.getValue(args.index()) instanceof JsonObject call) {
          JsonObject function = call.getJsonObject("function");
          function.put("arguments", function.getString("arguments") + args.fragment());
        }
      }
      case Delta.Event event -> { }
    }
  }

  /** How many choices the answer has: at least one. */
  public int choices() {
    return Math.max(1, Math.max(texts.size(), calls.size()));
  }

  /** The text of {@code choice}: null when it only called tools, as OpenAI's {@code content: null}. */
  public String content(int choice) {
    String text = choice < texts.size() ? texts.get(choice).toString() : "";
    return text.isEmpty() && !toolCalls(choice).isEmpty() ? null : text;
  }

  /** The tool calls of {@code choice}, possibly none; a call never started is left out. */
  public JsonArray toolCalls(int choice) {
    JsonArray out = new JsonArray();
    if (choice < calls.size()) {
      for (Object call : calls.get(choice)) {
        if (call != null) {
          out.add(call);
        }
      }
    }
    return out;
  }

  private StringBuilder text(int choice) {
    while (texts.size() <= choice) {
      texts.add(new StringBuilder());
    }
    return texts.get(choice);
  }

  private JsonArray calls(int choice) {
    while (calls.size() <= choice) {
      calls.add(new JsonArray());
    }
    return calls.get(choice);
  }
}
