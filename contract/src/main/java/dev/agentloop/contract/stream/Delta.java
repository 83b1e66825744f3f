package dev.agentloop.contract.stream;

import io.vertx.core.json.JsonObject;
import java.util.stream.Collector;

/**
 * One typed entry of a token stream (see {@link StreamProtocol} for the wire encoding and
 * {@link DeltaCodec} for the one place that reads and writes it). Adding a kind is one record here
 * and one case in the codec.
 */
public sealed interface Delta permits Delta.Text, Delta.Event {

  /** A piece of the answer's text: one token of the model. */
  record Text(String text) implements Delta {
    public Text {
      if (text == null) {
        throw new IllegalArgumentException("a text delta needs its text");
      }
    }
  }

  /** A JSON event: an agent run's step or tool call, a job's progress, the run itself. */
  record Event(JsonObject body) implements Delta {
    public Event {
      if (body == null) {
        throw new IllegalArgumentException("an event delta needs its body");
      }
    }
  }

  static Delta text(String text) {
    return new Text(text);
  }

  static Delta event(JsonObject body) {
    return new Event(body);
  }

  /** Collects the text of a stream (events are left out), e.g. {@code stream.collect(Delta.joinedText())}. */
  static Collector<Delta, StringBuilder, String> joinedText() {
    return Collector.of(StringBuilder::new, (text, delta) -> {
      if (delta instanceof Text piece) {
        text.append(piece.text());
      }
    }, StringBuilder::append, StringBuilder::toString);
  }
}
