package dev.agentloop.testkit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A strict parser for OpenAI-style server-sent events: every line is {@code data: ...} or a
 * {@code :} comment, every event ends with a blank line, every data payload is JSON except the
 * final {@code [DONE]}. Anything else is a framing error. {@link Parser} is the lenient, incremental
 * one for a stream read chunk by chunk (the bench).
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

  /**
   * Splits a byte stream into events and hands each event's {@code data} (lines joined with "\n")
   * to the listener. Events end with a blank line; "\r\n" line ends are accepted; comments and
   * other fields are passed over.
   */
  public static final class Parser {

    private final Consumer<String> onData;
    private final StringBuilder pending = new StringBuilder();

    public Parser(Consumer<String> onData) {
      this.onData = onData;
    }

    public void feed(Buffer chunk) {
      pending.append(chunk.toString(StandardCharsets.UTF_8));
      int end;
      while ((end = eventEnd()) >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + (pending.indexOf("\r\n\r\n", end) == end ? 4 : 2));
        dispatch(event);
      }
    }

    private int eventEnd() {
      int lf = pending.indexOf("\n\n");
      int crlf = pending.indexOf("\r\n\r\n");
      if (lf < 0) {
        return crlf;
      }
      return crlf < 0 ? lf : Math.min(lf, crlf);
    }

    private void dispatch(String event) {
      StringBuilder data = null;
      for (String line : event.split("\r?\n")) {
        if (line.startsWith("data:")) {
          String value = line.substring(line.startsWith("data: ") ? 6 : 5);
          if (data == null) {
            data = new StringBuilder(value);
          } else {
            data.append('\n').append(value);
          }
        }
      }
      if (data != null) {
        onData.accept(data.toString());
      }
    }
  }

  private static String tail(String body) {
    return body.substring(Math.max(0, body.length() - 80));
  }
}
