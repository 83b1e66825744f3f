package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Which schema each array position has: {@code prefixItems} (2020-12) or an {@code items} array
 * (draft 7) for the first positions, then {@code items} or {@code additionalItems}.
 */
record ArrayShape(JsonArray prefix, String prefixPointer, Object rest, String restPointer) {

  static ArrayShape of(JsonObject schema, String pointer) {
    Object items = schema.getValue("items");
    if (schema.getValue("prefixItems") instanceof JsonArray prefix) {
      return new ArrayShape(prefix, pointer + "/prefixItems", items, pointer + "/items");
    }
    if (items instanceof JsonArray prefix) {
      return new ArrayShape(prefix, pointer + "/items", schema.getValue("additionalItems"), pointer + "/additionalItems");
    }
    if (schema.containsKey("prefixItems")) {
      throw SchemaError.at(pointer, "has 'prefixItems' that is not an array");
    }
    return new ArrayShape(new JsonArray(), pointer, items, pointer + "/items");
  }

  /** The schema of position i, or null when any value goes there. */
  Object schemaFor(int i) {
    return i < prefix.size() ? prefix.getValue(i) : rest;
  }

  String pointerFor(int i) {
    return i < prefix.size() ? prefixPointer + "/" + i : restPointer;
  }

  /** The most items the shape allows: the prefix length when the rest is {@code false}. */
  int maxItems() {
    return Boolean.FALSE.equals(rest) ? prefix.size() : Integer.MAX_VALUE;
  }
}
