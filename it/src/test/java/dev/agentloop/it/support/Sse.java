package dev.agentloop.it.support;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict parser for OpenAI-style server-sent events: every line is {@code data: ...} or a
 * {@code :} comment, every event ends with a blank line, every data payload is JSON except the
 * final {@code [DONE]}. Anything else is a framing error.
 */
public final class Sse {

  /** The parsed stream: JSON events in order, whether it ended with [DONE], and comment count. */
  public record Stream(List<JsonObject> events, boolean done, int comments) {

    public String content() {
      StringBuilder text = new StringBuilder();
      for (JsonObject event : events) {
        if (event.containsKey("choices") && !event.getJsonArray("choices").isEmpty()) {
          JsonObject delta = event.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
          if (delta != null && delta.getString("content") != null) {
            text.append(delta.getString("content"));
          }
        }
      }
      return text.toString();
    }

    public List<JsonObject> contentEvents() {
      return events.stream().filter(e -> e.containsKey("choices") && !e.getJsonArray("choices").isEmpty()
          && e.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").containsKey("content")
          && !e.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").containsKey("role")).toList();
    }

    public JsonObject error() {
      return events.stream().filter(e -> e.containsKey("error")).findFirst().map(e -> e.getJsonObject("error"))
          .orElse(null);
    }

    public JsonObject usage() {
      return events.stream().filter(e -> e.getValue("usage") instanceof JsonObject).findFirst()
          .map(e -> e.getJsonObject("usage")).orElse(null);
    }
  }

  private Sse() {
  }

  public static Stream parse(String body) {
    List<JsonObject> events = new ArrayList<>();
    boolean done = false;
    int comments = 0;
    String[] blocks = body.split("\n\n", -1);
    if (!blocks[blocks.length - 1].isEmpty()) {
      throw new IllegalArgumentException("stream does not end with a blank line: ..." + tail(body));
    }
    for (int i = 0; i < blocks.length - 1; i++) {
      String block = blocks[i];
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n", -1)) {
        if (line.startsWith(":")) {
          comments++;
        } else if (line.startsWith("data: ")) {
          if (!data.isEmpty()) {
            data.append('\n');
          }
          data.append(line.substring(6));
        } else {
          throw new IllegalArgumentException("not an SSE line: '" + line + "' in block " + i);
        }
      }
      if (data.isEmpty()) {
        continue;
      }
      if (done) {
        throw new IllegalArgumentException("event after [DONE]: " + data);
      }
      if ("[DONE]".contentEquals(data)) {
        done = true;
      } else {
        events.add(new JsonObject(data.toString()));
      }
    }
    return new Stream(events, done, comments);
  }

  private static String tail(String body) {
    return body.substring(Math.max(0, body.length() - 80));
  }
}
