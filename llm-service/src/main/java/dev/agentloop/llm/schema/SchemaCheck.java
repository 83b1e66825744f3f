package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a generated value against a schema: the generator's own validator, used to pick
 * {@code anyOf}/{@code oneOf} branches, to verify {@code allOf}/{@code not}/{@code if} and the
 * final value. Every node it visits costs a budget step.
 */
final class SchemaCheck {

  private final SchemaIndex index;
  private final Budget budget;
  private String failure;

  SchemaCheck(SchemaIndex index, Budget budget) {
    this.index = index;
    this.budget = budget;
  }

  /** Null when the value is valid, else where and why it is not. */
  String failure(Object schema, Object value, String pointer) {
    failure = null;
    return valid(schema, value, pointer, 0) ? null : failure;
  }

  boolean valid(Object schema, Object value, String pointer) {
    return valid(schema, value, pointer, 0);
  }

  private boolean fail(String pointer, String why) {
    failure = "the value at '" + pointer + "' " + why;
    return false;
  }

  private boolean valid(Object schema, Object value, String pointer, int depth) {
    budget.step(pointer);
    if (depth > budget.limits().maxDepth() * 4) {
      throw new SchemaError.Exhausted(pointer, "nests deeper than " + budget.limits().maxDepth() * 4
          + " levels of references and compositions");
    }
    if (schema instanceof Boolean allowed) {
      return allowed || fail(pointer, "meets the schema 'false'");
    }
    if (!(schema instanceof JsonObject s)) {
      throw SchemaError.at(pointer, "is not a schema (expected an object or a boolean)");
    }
    if (s.containsKey("$ref")) {
      Object ref = s.getValue("$ref");
      if (!valid(index.resolve(ref, pointer), value, SchemaIndex.pointerOf(ref), depth + 1)) {
        return false;
      }
    }
    if (!typeAllowed(s, value, pointer)) {
      return fail(pointer, "has type " + Keywords.typeOf(value) + ", which 'type' does not allow");
    }
    if (s.containsKey("const") && !Keywords.jsonEquals(s.getValue("const"), value)) {
      return fail(pointer, "differs from 'const'");
    }
    if (s.containsKey("enum") && !inEnum(Keywords.array(s, "enum", pointer, false), value)) {
      return fail(pointer, "is not one of 'enum'");
    }
    boolean kindOk = switch (value) {
      case JsonObject object -> ContainerCheck.object(this, s, object, pointer, depth);
      case JsonArray array -> ContainerCheck.array(this, s, array, pointer, depth);
      case String text -> string(s, text, pointer);
      case null -> true;
      default -> Keywords.number(value) == null || number(s, Keywords.number(value), pointer);
    };
    return kindOk && composition(s, value, pointer, depth);
  }

  boolean child(Object schema, Object value, String pointer, int depth) {
    return valid(schema, value, pointer, depth + 1);
  }

  SchemaIndex index() {
    return index;
  }

  Budget budget() {
    return budget;
  }

  void step(String pointer) {
    budget.step(pointer);
  }

  boolean failAt(String pointer, String why) {
    return fail(pointer, why);
  }

  private static boolean inEnum(JsonArray values, Object value) {
    String wanted = Keywords.canonical(value);
    for (Object candidate : values) {
      if (Keywords.canonical(candidate).equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  static boolean typeAllowed(JsonObject schema, Object value, String pointer) {
    Set<String> types = declaredTypes(schema, pointer);
    if (types == null) {
      return true;
    }
    String actual = Keywords.typeOf(value);
    return types.contains(actual) || ("integer".equals(actual) && types.contains("number"));
  }

  /** The types {@code type} (and OpenAPI's {@code nullable}) allow, or null when any type is allowed. */
  static Set<String> declaredTypes(JsonObject schema, String pointer) {
    Object type = schema.getValue("type");
    if (type == null) {
      return null;
    }
    Set<String> types = new HashSet<>();
    Iterable<Object> names = type instanceof JsonArray array ? array : List.of(type);
    for (Object name : names) {
      if (!(name instanceof String text) || !Keywords.TYPES.contains(text)) {
        throw SchemaError.at(pointer, "has 'type' " + name + ", which is not a JSON Schema type");
      }
      types.add(text);
    }
    if (Boolean.TRUE.equals(schema.getValue("nullable"))) {
      types.add("null");
    }
    return types;
  }

  private boolean number(JsonObject s, BigDecimal value, String pointer) {
    return NumberRange.of(s, pointer).contains(value)
        || fail(pointer, "is " + value.toPlainString() + ", outside minimum/maximum/multipleOf");
  }

  private boolean string(JsonObject s, String text, String pointer) {
    int length = text.codePointCount(0, text.length());
    if (length < Keywords.count(s, "minLength", 0, pointer)
        || length > Keywords.count(s, "maxLength", Integer.MAX_VALUE, pointer)) {
      return fail(pointer, "has " + length + " characters, outside minLength/maxLength");
    }
    String pattern = Keywords.string(s, "pattern", pointer);
    if (pattern != null && !index.find(pattern, text, pointer, budget)) {
      return fail(pointer, "does not match 'pattern'");
    }
    String format = Keywords.string(s, "format", pointer);
    return Formats.valid(format, text) || fail(pointer, "is not a valid '" + format + "'");
  }

  private boolean composition(JsonObject s, Object value, String pointer, int depth) {
    if (s.containsKey("allOf")) {
      JsonArray all = Keywords.array(s, "allOf", pointer, true);
      for (int i = 0; i < all.size(); i++) {
        if (!valid(all.getValue(i), value, pointer + "/allOf/" + i, depth + 1)) {
          return false;
        }
      }
    }
    if (s.containsKey("anyOf") && matches(s, "anyOf", value, pointer, depth, 1) == 0) {
      return fail(pointer, "matches no branch of 'anyOf'");
    }
    if (s.containsKey("oneOf")) {
      int matched = matches(s, "oneOf", value, pointer, depth, 2);
      if (matched != 1) {
        return fail(pointer, "matches " + (matched == 0 ? "no" : "more than one") + " branch of 'oneOf'");
      }
    }
    if (s.containsKey("not") && valid(s.getValue("not"), value, pointer + "/not", depth + 1)) {
      return fail(pointer, "matches the schema under 'not'");
    }
    if (s.containsKey("if")) {
      String branch = valid(s.getValue("if"), value, pointer + "/if", depth + 1) ? "then" : "else";
      return !s.containsKey(branch) || valid(s.getValue(branch), value, pointer + "/" + branch, depth + 1);
    }
    return true;
  }

  private int matches(JsonObject s, String keyword, Object value, String pointer, int depth, int enough) {
    JsonArray branches = Keywords.array(s, keyword, pointer, true);
    int matched = 0;
    for (int i = 0; i < branches.size() && matched < enough; i++) {
      if (valid(branches.getValue(i), value, pointer + "/" + keyword + "/" + i, depth + 1)) {
        matched++;
      }
    }
    return matched;
  }
}
