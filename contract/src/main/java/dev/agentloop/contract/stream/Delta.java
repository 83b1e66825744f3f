package dev.agentloop.contract.stream;

import io.vertx.core.json.JsonObject;
import java.util.stream.Collector;

/**
 * One typed entry of a token stream (see {@link StreamProtocol} for the wire encoding and
 * {@link DeltaCodec} for the one place that reads and writes it). Adding a kind is one record here
 * and one case in the codec.
 */
public sealed interface Delta permits Delta.Text, Delta.Event, Delta.ToolCallStart, Delta.ToolArguments {

  /** The most choices an answer has ({@code n}), and so the bound on a choice index. */
  int MAX_CHOICES = 8;
  /** The most tool calls one choice makes (OpenAI's bound on {@code tools}), and so the bound on a call index. */
  int MAX_TOOL_CALLS = 128;

  /** A piece of the answer's text: one token of the model, for choice {@code choice} (0 unless {@code n} asked for more). */
  record Text(String text, int choice) implements Delta {
    public Text {
      if (text == null) {
        throw new IllegalArgumentException("a text delta needs its text");
      }
      checkChoice(choice);
    }

    public Text(String text) {
      this(text, 0);
    }
  }

  /** The start of tool call {@code index} of a choice: its id and the function's name; its arguments follow. */
  record ToolCallStart(int index, String id, String name, int choice) implements Delta {
    public ToolCallStart {
      if (index < 0 || index >= MAX_TOOL_CALLS || id == null || name == null) {
        throw new IllegalArgumentException("a tool-call start needs an index, an id and a name");
      }
      checkChoice(choice);
    }
  }

  /** A piece of the JSON arguments of tool call {@code index} of a choice: one token of the model. */
  record ToolArguments(int index, String fragment, int choice) implements Delta {
    public ToolArguments {
      if (index < 0 || index >= MAX_TOOL_CALLS || fragment == null) {
        throw new IllegalArgumentException("an argument fragment needs an index and its text");
      }
      checkChoice(choice);
    }
  }

  private static void checkChoice(int choice) {
    if (choice < 0 || choice >= MAX_CHOICES) {
      throw new IllegalArgumentException("a choice index is between 0 and " + (MAX_CHOICES - 1));
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

  /** The choice this entry belongs to; events belong to none and answer 0. */
  default int choiceIndex() {
    return switch (this) {
      case Text t -> t.choice();
      case ToolCallStart s -> s.choice();
      case ToolArguments a -> a.choice();
      case Event e -> 0;
    };
  }

  /** Gathers a whole answer: every choice's text and tool calls, e.g. {@code stream.collect(Delta.gathered())}. */
  static Collector<Delta, Gathered, Gathered> gathered() {
    return Collector.of(Gathered::new, Gathered::add, (a, b) -> {
      throw new UnsupportedOperationException("a stream is gathered in order");
    });
  }

  /** Collects the text of a stream (choice 0; events and tool calls are left out), e.g. {@code stream.collect(Delta.joinedText())}. */
  static Collector<Delta, StringBuilder, String> joinedText() {
    return Collector.of(StringBuilder::new, (text, delta) -> {
      if (delta instanceof Text piece && piece.choice() == 0) {
        text.append(piece.text());
      }
    }, StringBuilder::append, StringBuilder::toString);
  }
}
