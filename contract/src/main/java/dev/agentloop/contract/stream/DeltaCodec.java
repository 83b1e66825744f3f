package dev.agentloop.contract.stream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the entries of a batch: each entry is a JSON array whose first element names its
 * kind (see {@link StreamProtocol}). Decoding is strict: an unknown kind, a missing or mistyped
 * field, an extra element or too many entries is a {@link MalformedBatch}, never a partial result.
 */
public final class DeltaCodec {

  static final String TEXT = "t";
  static final String EVENT = "e";
  static final String TOOL_CALL = "s";
  static final String ARGUMENTS = "a";

  private DeltaCodec() {
  }

  /** A batch that breaks the protocol; the message says what and where. */
  public static final class MalformedBatch extends RuntimeException {
    MalformedBatch(String message) {
      super(message, null, false, false);
    }
  }

  public static JsonArray encode(Delta delta) {
    return switch (delta) {
      case Delta.Text text -> withChoice(new JsonArray().add(TEXT).add(text.text()), text.choice());
      case Delta.Event event -> new JsonArray(List.of(EVENT, event.body()));
      case Delta.ToolCallStart start -> withChoice(new JsonArray().add(TOOL_CALL).add(start.index()).add(start.id())
          .add(start.name()), start.choice());
      case Delta.ToolArguments args -> withChoice(new JsonArray().add(ARGUMENTS).add(args.index())
          .add(args.fragment()), args.choice());
    };
  }

  /** The choice index is an optional last element, absent for choice 0. */
  private static JsonArray withChoice(JsonArray entry, int choice) {
    return choice == 0 ? entry : entry.add(choice);
  }

  public static JsonArray encodeAll(List<Delta> deltas) {
    List<Object> entries = new ArrayList<>(deltas.size());
    for (Delta delta : deltas) {
      entries.add(encode(delta));
    }
    return new JsonArray(entries);
  }

  /** Decodes one entry; {@code position} only names it in the error. */
  public static Delta decode(Object entry, int position) {
    if (!(entry instanceof JsonArray array) || array.isEmpty()) {
      throw new MalformedBatch("entry " + position + " is not a non-empty array");
    }
    Object kind = array.getValue(0);
    if (TEXT.equals(kind)) {
      int choice = choice(array, 2, position, kind);
      if (!(array.getValue(1) instanceof String text)) {
        throw new MalformedBatch("entry " + position + " (t): the text is not a string");
      }
      return new Delta.Text(text, choice);
    }
    if (TOOL_CALL.equals(kind)) {
      int choice = choice(array, 4, position, kind);
      int index = index(array, position, kind);
      if (!(array.getValue(2) instanceof String id) || !(array.getValue(3) instanceof String name)) {
        throw new MalformedBatch("entry " + position + " (s): the id or the name is not a string");
      }
      return new Delta.ToolCallStart(index, id, name, choice);
    }
    if (ARGUMENTS.equals(kind)) {
      int choice = choice(array, 3, position, kind);
      int index = index(array, position, kind);
      if (!(array.getValue(2) instanceof String fragment)) {
        throw new MalformedBatch("entry " + position + " (a): the fragment is not a string");
      }
      return new Delta.ToolArguments(index, fragment, choice);
    }
    if (EVENT.equals(kind)) {
      arity(array, 2, position, kind);
      if (!(array.getValue(1) instanceof JsonObject body)) {
        throw new MalformedBatch("entry " + position + " (e): the event is not an object");
      }
      return new Delta.Event(body);
    }
    throw new MalformedBatch("entry " + position + " has an unknown kind " + describe(kind));
  }

  /** Decodes the entries of a batch, at most {@code maxEntries} of them. */
  public static List<Delta> decodeAll(Object entries, int maxEntries) {
    if (!(entries instanceof JsonArray array)) {
      throw new MalformedBatch("`" + StreamProtocol.DELTAS + "` is not an array");
    }
    if (array.size() > maxEntries) {
      throw new MalformedBatch("the batch has " + array.size() + " entries, more than the " + maxEntries + " allowed");
    }
    List<Delta> deltas = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      deltas.add(decode(array.getValue(i), i));
    }
    return deltas;
  }

  /** The optional choice index after the {@code size} fixed elements: 0 when absent. */
  private static int choice(JsonArray entry, int size, int position, Object kind) {
    if (entry.size() == size) {
      return 0;
    }
    if (entry.size() != size + 1) {
      throw new MalformedBatch("entry " + position + " (" + kind + ") has " + entry.size() + " elements, not " + size
          + " or " + (size + 1));
    }
    return smallInt(entry.getValue(size), Delta.MAX_CHOICES, position, kind, "choice index");
  }

  private static int index(JsonArray entry, int position, Object kind) {
    return smallInt(entry.getValue(1), Delta.MAX_TOOL_CALLS, position, kind, "tool-call index");
  }

  private static int smallInt(Object value, int bound, int position, Object kind, String what) {
    if (!(value instanceof Integer n) || n < 0 || n >= bound) {
      throw new MalformedBatch("entry " + position + " (" + kind + "): the " + what + " is not an integer in range");
    }
    return n;
  }

  private static void arity(JsonArray entry, int size, int position, Object kind) {
    if (entry.size() != size) {
      throw new MalformedBatch("entry " + position + " (" + kind + ") has " + entry.size() + " elements, not " + size);
    }
  }

  private static String describe(Object kind) {
    return kind instanceof String name ? "`" + (name.length() > 16 ? name.substring(0, 16) + "…" : name) + "`"
        : String.valueOf(kind instanceof JsonObject || kind instanceof JsonArray ? "(a JSON value)" : kind);
  }
}
