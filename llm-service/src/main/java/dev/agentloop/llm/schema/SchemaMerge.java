package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Combines two schemas into one that a value must meet for both ({@code allOf}, and a branch of
 * {@code anyOf}/{@code oneOf} with its siblings). Bounds tighten, {@code required} and
 * {@code properties} unite, {@code type} and {@code enum} intersect, sub-schemas become an
 * {@code allOf}. It is best effort: where two values cannot be combined the first is kept, and the
 * generator checks the result against the original schema.
 */
final class SchemaMerge {

  private static final Set<String> LOWER = Set.of("minimum", "minLength", "minItems", "minProperties", "minContains");
  private static final Set<String> UPPER = Set.of("maximum", "maxLength", "maxItems", "maxProperties", "maxContains");
  private static final Set<String> SUBSCHEMAS = Set.of("items", "additionalProperties", "additionalItems", "contains",
      "propertyNames", "not");

  private SchemaMerge() {
  }

  static Object merge(Object a, Object b, Budget budget, String pointer) {
    if (Boolean.TRUE.equals(a) || b == null) {
      return b == null ? a : b;
    }
    if (Boolean.TRUE.equals(b)) {
      return a;
    }
    if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b)) {
      return Boolean.FALSE;
    }
    if (!(a instanceof JsonObject first) || !(b instanceof JsonObject second)) {
      throw SchemaError.at(pointer, "combines something that is not a schema (expected an object or a boolean)");
    }
    Map<String, Object> out = new LinkedHashMap<>(first.getMap());
    for (String key : second.fieldNames()) {
      budget.step(pointer);
      Object theirs = second.getValue(key);
      Object ours = first.getValue(key);
      if (ours == null) {
        out.put(key, theirs);
      } else if (!ours.equals(theirs)) {
        Object combined = combine(key, ours, theirs, pointer);
        if (combined != null) {
          out.put(key, combined);
        }
      }
    }
    return new JsonObject(out);
  }

  /** The combined keyword value, or null to keep ours. */
  private static Object combine(String key, Object ours, Object theirs, String pointer) {
    if (LOWER.contains(key) || UPPER.contains(key) || "exclusiveMinimum".equals(key) || "exclusiveMaximum".equals(key)) {
      BigDecimal a = Keywords.number(ours);
      BigDecimal b = Keywords.number(theirs);
      if (a == null || b == null) {
        return null;
      }
      boolean takeHigher = LOWER.contains(key) || "exclusiveMinimum".equals(key);
      return (a.compareTo(b) >= 0) == takeHigher ? ours : theirs;
    }
    if (SUBSCHEMAS.contains(key)) {
      return new JsonObject().put("allOf", new JsonArray().add(ours).add(theirs));
    }
    return switch (key) {
      case "properties" -> properties(ours, theirs);
      case "required" -> union(ours, theirs);
      case "type" -> types(ours, theirs, pointer);
      case "enum" -> common(ours, theirs);
      case "uniqueItems" -> Boolean.TRUE.equals(ours) || Boolean.TRUE.equals(theirs);
      case "allOf" -> ours instanceof JsonArray a && theirs instanceof JsonArray b ? a.copy().addAll(b) : null;
      case "multipleOf" -> leastCommonMultiple(Keywords.number(ours), Keywords.number(theirs));
      default -> null;
    };
  }

  private static Object properties(Object ours, Object theirs) {
    if (!(ours instanceof JsonObject a) || !(theirs instanceof JsonObject b)) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>(a.getMap());
    for (String name : b.fieldNames()) {
      Object mine = a.getValue(name);
      Object other = b.getValue(name);
      out.put(name, mine == null || mine.equals(other) ? other
          : new JsonObject().put("allOf", new JsonArray().add(mine).add(other)));
    }
    return new JsonObject(out);
  }

  private static Object union(Object ours, Object theirs) {
    if (!(ours instanceof JsonArray a) || !(theirs instanceof JsonArray b)) {
      return null;
    }
    Set<Object> names = new LinkedHashSet<>();
    a.forEach(names::add);
    b.forEach(names::add);
    return new JsonArray(new ArrayList<>(names));
  }

  private static Object types(Object ours, Object theirs, String pointer) {
    Set<String> a = SchemaCheck.declaredTypes(new JsonObject().put("type", ours), pointer);
    Set<String> b = SchemaCheck.declaredTypes(new JsonObject().put("type", theirs), pointer);
    JsonArray both = new JsonArray();
    for (String type : Keywords.TYPES) {
      boolean inA = a.contains(type) || ("integer".equals(type) && a.contains("number"));
      boolean inB = b.contains(type) || ("integer".equals(type) && b.contains("number"));
      if (inA && inB && !("integer".equals(type) && a.contains("number") && b.contains("number"))) {
        both.add(type);
      }
    }
    return both;
  }

  private static Object common(Object ours, Object theirs) {
    if (!(ours instanceof JsonArray a) || !(theirs instanceof JsonArray b)) {
      return null;
    }
    Set<String> other = new LinkedHashSet<>();
    for (Object value : b) {
      other.add(Keywords.canonical(value));
    }
    JsonArray out = new JsonArray();
    for (Object value : a) {
      if (other.contains(Keywords.canonical(value))) {
        out.add(value);
      }
    }
    return out;
  }

  private static Object leastCommonMultiple(BigDecimal a, BigDecimal b) {
    if (a == null || b == null || a.signum() <= 0 || b.signum() <= 0) {
      return null;
    }
    int scale = Math.max(a.stripTrailingZeros().scale(), b.stripTrailingZeros().scale());
    if (scale > 30 || scale < -30) {
      return null;
    }
    BigInteger x = a.movePointRight(scale).toBigInteger();
    BigInteger y = b.movePointRight(scale).toBigInteger();
    BigInteger lcm = x.divide(x.gcd(y)).multiply(y);
    return new BigDecimal(lcm).movePointLeft(scale);
  }
}
