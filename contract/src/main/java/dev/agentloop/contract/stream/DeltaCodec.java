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
      case Delta.Text text -> new JsonArray(List.of(TEXT, text.text()));
      case Delta.Event event -> new JsonArray(List.of(EVENT, event.body()));
    };
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
      arity(array, 2, position, kind);
      if (!(array.getValue(1) instanceof String text)) {
        throw new MalformedBatch("entry " + position + " (t): the text is not a string");
      }
      return new Delta.Text(text);
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
