package dev.agentloop.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a byte stream into SSE events and hands each event's {@code data} (lines joined with
 * "\n") to the listener. Events end with a blank line; "\r\n" line ends are accepted.
 */
public final class SseParser {

  private final Consumer<String> onData;
  private final StringBuilder pending = new StringBuilder();

  public SseParser(Consumer<String> onData) {
    this.onData = onData;
  }

  public void feed(Buffer chunk) {
    pending.append(chunk.toString(StandardCharsets.UTF_8));
    int end;
    while ((end = eventEnd()) >= 0) {
      String event = pending.substring(0, end);
      pending.delete(0, end + separatorLength(end));
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

  private int separatorLength(int end) {
    return pending.indexOf("\r\n\r\n", end) == end ? 4 : 2;
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
