package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed, checked access to a schema's keywords, and the JSON value helpers the generator and checker share. */
final class Keywords {

  /** Keywords that assert nothing about a value. */
  static final Set<String> ANNOTATIONS = Set.of("description", "title", "default", "examples", "$comment", "$defs",
      "definitions", "$schema", "$id", "$anchor", "deprecated", "readOnly", "writeOnly", "contentMediaType",
      "contentEncoding", "strict", "name");

  /** The JSON types, in a fixed order: choices iterate it, so it must not be a hash set. */
  static final List<String> TYPES = List.of("object", "array", "string", "integer", "number", "boolean", "null");

  private Keywords() {
  }

  static String child(String pointer, String key) {
    return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  /** A count keyword such as {@code minItems}: a non-negative integer, capped at {@link Integer#MAX_VALUE}. */
  static int count(JsonObject schema, String key, int absent, String pointer) {
    Object value = schema.getValue(key);
    if (value == null) {
      return absent;
    }
    BigDecimal number = number(value);
    if (number == null || number.signum() < 0 || !isInteger(number)) {
      throw SchemaError.at(pointer, "has '" + key + "' " + value + "; it must be a non-negative integer");
    }
    return number.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0 ? Integer.MAX_VALUE : number.intValueExact();
  }

  /** A numeric keyword such as {@code minimum}, or null when absent. */
  static BigDecimal decimal(JsonObject schema, String key, String pointer) {
    Object value = schema.getValue(key);
    if (value == null) {
      return null;
    }
    BigDecimal number = number(value);
    if (number == null) {
      throw SchemaError.at(pointer, "has '" + key + "' " + value + "; it must be a number");
    }
    return number;
  }

  static String string(JsonObject schema, String key, String pointer) {
    Object value = schema.getValue(key);
    if (value != null && !(value instanceof String)) {
      throw SchemaError.at(pointer, "has '" + key + "' that is not a string");
    }
    return (String) value;
  }

  static JsonObject object(JsonObject schema, String key, String pointer) {
    Object value = schema.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      throw SchemaError.at(pointer, "has '" + key + "' that is not an object");
    }
    return value == null ? new JsonObject() : (JsonObject) value;
  }

  static JsonArray array(JsonObject schema, String key, String pointer, boolean nonEmpty) {
    Object value = schema.getValue(key);
    if (!(value instanceof JsonArray array) || (nonEmpty && array.isEmpty())) {
      throw SchemaError.at(pointer, "has '" + key + "' that is not " + (nonEmpty ? "a non-empty" : "an") + " array");
    }
    return array;
  }

  static List<String> strings(JsonObject schema, String key, String pointer) {
    Object value = schema.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw SchemaError.at(pointer, "has '" + key + "' that is not an array of strings");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw SchemaError.at(pointer, "has '" + key + "' that is not an array of strings");
      }
      out.add(text);
    }
    return out;
  }

  /** A shallow copy without the given keywords. */
  static JsonObject without(JsonObject schema, String... keys) {
    Map<String, Object> copy = new LinkedHashMap<>(schema.getMap());
    for (String key : keys) {
      copy.remove(key);
    }
    return new JsonObject(copy);
  }

  static boolean assertsSomething(JsonObject schema) {
    for (String key : schema.fieldNames()) {
      if (!ANNOTATIONS.contains(key)) {
        return true;
      }
    }
    return false;
  }

  static BigDecimal number(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof BigDecimal decimal) {
      return decimal;
    }
    if (value instanceof BigInteger integer) {
      return new BigDecimal(integer);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : null;
    }
    return null;
  }

  static boolean isInteger(BigDecimal number) {
    return number.signum() == 0 || number.stripTrailingZeros().scale() <= 0;
  }

  /** The JSON type name of a value ({@code integer} for whole numbers). */
  static String typeOf(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonObject) {
      return "object";
    }
    if (value instanceof JsonArray) {
      return "array";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    BigDecimal number = number(value);
    return number == null ? "unknown" : isInteger(number) ? "integer" : "number";
  }

  /** The number as the JSON value to emit: a Long or a Double when exact, the decimal otherwise. */
  static Number emit(BigDecimal value) {
    if (isInteger(value) && value.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
      return value.longValue();
    }
    double d = value.doubleValue();
    if (Double.isFinite(d) && new BigDecimal(Double.toString(d)).compareTo(value) == 0) {
      return d;
    }
    return value;
  }

  /** A text equal for equal JSON values (keys sorted, numbers normalised), for equality and uniqueness. */
  static String canonical(Object value) {
    StringBuilder out = new StringBuilder();
    canonical(value, out);
    return out.toString();
  }

  private static void canonical(Object value, StringBuilder out) {
    if (value instanceof JsonObject object) {
      out.append('{');
      object.fieldNames().stream().sorted().forEach(key -> {
        out.append(quote(key)).append(':');
        canonical(object.getValue(key), out);
        out.append(',');
      });
      out.append('}');
    } else if (value instanceof JsonArray array) {
      out.append('[');
      for (Object item : array) {
        canonical(item, out);
        out.append(',');
      }
      out.append(']');
    } else if (value instanceof String text) {
      out.append(quote(text));
    } else if (number(value) != null) {
      BigDecimal number = number(value);
      out.append(number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString());
    } else {
      out.append(value);
    }
  }

  /** The JSON string literal for a text. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  static boolean jsonEquals(Object a, Object b) {
    return canonical(a).equals(canonical(b));
  }
}
