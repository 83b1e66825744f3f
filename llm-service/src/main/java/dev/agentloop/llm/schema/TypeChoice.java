package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Which JSON type to generate for a plain schema: one its {@code type} allows, or one its keywords imply. */
final class TypeChoice {

  private TypeChoice() {
  }

  /** Null is taken sometimes when allowed, and always when the recursion winds down. */
  static String choose(Generator gen, JsonObject s, At at) {
    Set<String> declared = SchemaCheck.declaredTypes(s, at.pointer());
    if (declared == null) {
      return inferredType(s);
    }
    List<String> types = new ArrayList<>();
    for (String type : Keywords.TYPES) {
      if (declared.contains(type) && !"null".equals(type) && !("integer".equals(type) && declared.contains("number"))) {
        types.add(type);
      }
    }
    boolean nullable = declared.contains("null");
    if (types.isEmpty()) {
      if (!nullable) {
        throw SchemaError.at(at.pointer(), "allows no type at all (its 'type' lists cannot all hold)");
      }
      return "null";
    }
    if (nullable && (at.winding(gen.limits()) || gen.choose(5) == 0)) {
      return "null";
    }
    return types.get(gen.choose(types.size()));
  }

  /** The type other keywords imply when {@code type} is absent; {@code any} when none does. */
  private static String inferredType(JsonObject s) {
    for (String key : s.fieldNames()) {
      switch (key) {
        case "properties", "required", "additionalProperties", "minProperties", "maxProperties", "patternProperties",
            "propertyNames", "dependentRequired" -> {
          return "object";
        }
        case "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains" -> {
          return "array";
        }
        case "minLength", "maxLength", "pattern", "format" -> {
          return "string";
        }
        case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf" -> {
          return "number";
        }
        default -> {
        }
      }
    }
    return "any";
  }
}
