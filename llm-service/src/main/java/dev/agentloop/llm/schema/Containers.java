package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Objects and arrays for a plain schema. */
final class Containers {

  private static final int OPTIONAL_PERCENT = 60;
  private static final int DISTINCT_TRIES = 64;
  private static final int NAME_TRIES = 16;
  private static final int NAME_LENGTH = 32;

  private final Generator gen;

  Containers(Generator gen) {
    this.gen = gen;
  }

  JsonObject object(JsonObject s, At at) {
    String pointer = at.pointer();
    JsonObject properties = Keywords.object(s, "properties", pointer);
    List<String> required = Keywords.strings(s, "required", pointer);
    Object additional = s.getValue("additionalProperties");
    boolean closed = Boolean.FALSE.equals(additional) && !s.containsKey("patternProperties");
    int min = Keywords.count(s, "minProperties", 0, pointer);
    int max = Keywords.count(s, "maxProperties", Integer.MAX_VALUE, pointer);
    if (min > max) {
      throw SchemaError.at(pointer, "has minProperties " + min + " greater than maxProperties " + max);
    }
    if (min > gen.limits().maxNodes()) {
      throw SchemaError.at(pointer, "has minProperties " + min + ", more than the " + gen.limits().maxNodes()
          + " values an answer may hold");
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : required) {
      if (closed && !properties.containsKey(name)) {
        throw SchemaError.at(pointer, "requires '" + name + "', which 'properties' does not define while "
            + "additionalProperties is false");
      }
      include(s, name, chosen, pointer);
    }
    if (chosen.size() > max) {
      throw SchemaError.at(pointer, "requires " + chosen.size() + " properties but has maxProperties " + max);
    }
    boolean winding = at.winding(gen.limits());
    for (String name : properties.fieldNames()) {
      if (chosen.size() < max && !chosen.contains(name) && !winding && gen.random.nextInt(100) < OPTIONAL_PERCENT
          && !Boolean.FALSE.equals(properties.getValue(name))) {
        include(s, name, chosen, pointer);
      }
    }
    for (String name : properties.fieldNames()) {
      if (chosen.size() >= min) {
        break;
      }
      if (!Boolean.FALSE.equals(properties.getValue(name))) {
        include(s, name, chosen, pointer);
      }
    }
    for (int extra = 1; chosen.size() < min; extra++) {
      if (closed) {
        throw SchemaError.at(pointer, "needs minProperties " + min + " but 'properties' offers fewer and "
            + "additionalProperties is false");
      }
      chosen.add(extraName(s, extra, at, chosen));
    }
    JsonObject out = new JsonObject();
    List<String> ordered = new ArrayList<>();
    for (String name : properties.fieldNames()) {
      if (chosen.contains(name)) {
        ordered.add(name);
      }
    }
    for (String name : chosen) {
      if (!properties.containsKey(name)) {
        ordered.add(name);
      }
    }
    for (String name : ordered) {
      gen.budget.chars(pointer, name.length() + 4L);
      Object sub = properties.containsKey(name) ? properties.getValue(name)
          : additional == null || matchesPattern(s, name, at) ? Boolean.TRUE : additional;
      String child = properties.containsKey(name) ? Keywords.child(pointer + "/properties", name) : pointer + "/additionalProperties";
      sub = withPatterns(s, name, sub, at);
      String description = sub instanceof JsonObject o && o.getValue("description") instanceof String d ? d : null;
      out.put(name, gen.value(sub, at.property(child, name, description)));
    }
    return out;
  }

  /** Adds a property and what {@code dependentRequired} (or array {@code dependencies}) asks along with it. */
  private static void include(JsonObject s, String name, Set<String> chosen, String pointer) {
    if (!chosen.add(name)) {
      return;
    }
    for (String keyword : new String[] {"dependentRequired", "dependencies"}) {
      JsonObject dependencies = Keywords.object(s, keyword, pointer);
      if (dependencies.getValue(name) instanceof JsonArray) {
        for (String needed : Keywords.strings(dependencies, name, pointer + "/" + keyword)) {
          include(s, needed, chosen, pointer);
        }
      }
    }
  }

  /** A new property name: one a {@code patternProperties} pattern matches, else from {@code propertyNames}, else {@code extra_n}. */
  private String extraName(JsonObject s, int n, At at, Set<String> chosen) {
    List<String> patterns = new ArrayList<>(Keywords.object(s, "patternProperties", at.pointer()).fieldNames());
    Object names = s.getValue("propertyNames");
    for (int attempt = 0; attempt < NAME_TRIES; attempt++) {
      String candidate;
      if (!patterns.isEmpty()) {
        String regex = patterns.get((n + attempt) % patterns.size());
        candidate = gen.patterns.generate(regex, 1, NAME_LENGTH, gen.random,
            Keywords.child(at.pointer() + "/patternProperties", regex));
      } else if (names != null) {
        candidate = gen.value(names, at.child(at.pointer() + "/propertyNames")) instanceof String text ? text : null;
      } else {
        candidate = "extra_" + (n + attempt);
      }
      if (candidate != null && !chosen.contains(candidate)
          && (names == null || gen.check.valid(names, candidate, at.pointer() + "/propertyNames"))) {
        return candidate;
      }
    }
    throw SchemaError.at(at.pointer(), "needs more property names than 'patternProperties'/'propertyNames' yield");
  }

  private boolean matchesPattern(JsonObject s, String name, At at) {
    for (String regex : Keywords.object(s, "patternProperties", at.pointer()).fieldNames()) {
      if (gen.index.find(regex, name, Keywords.child(at.pointer() + "/patternProperties", regex), gen.budget)) {
        return true;
      }
    }
    return false;
  }

  private Object withPatterns(JsonObject s, String name, Object sub, At at) {
    JsonObject patterns = Keywords.object(s, "patternProperties", at.pointer());
    Object merged = sub;
    for (String regex : patterns.fieldNames()) {
      String pointer = Keywords.child(at.pointer() + "/patternProperties", regex);
      if (gen.index.find(regex, name, pointer, gen.budget)) {
        merged = SchemaMerge.merge(gen.resolved(merged, at), gen.resolved(patterns.getValue(regex), at), gen.budget, pointer);
      }
    }
    return merged;
  }

  JsonArray array(JsonObject s, At at) {
    String pointer = at.pointer();
    ArrayShape shape = ArrayShape.of(s, pointer);
    int min = Keywords.count(s, "minItems", 0, pointer);
    int max = Math.min(Keywords.count(s, "maxItems", Integer.MAX_VALUE, pointer), shape.maxItems());
    if (min > max) {
      throw SchemaError.at(pointer, "has minItems " + min + " but allows at most " + max + " items");
    }
    if (min > gen.limits().maxNodes()) {
      throw SchemaError.at(pointer, "has minItems " + min + ", more than the " + gen.limits().maxNodes()
          + " values an answer may hold");
    }
    Object contains = s.getValue("contains");
    int wanted = contains == null ? 0 : Math.max(1, Keywords.count(s, "minContains", 1, pointer));
    int natural = shape.prefix().isEmpty() ? 1 + gen.random.nextInt(3) : shape.prefix().size();
    int size = at.winding(gen.limits()) ? min : Math.max(min, natural);
    size = Math.min(max, Math.max(size, contains == null ? 0 : Math.min(shape.prefix().size() + wanted, max)));
    boolean unique = Boolean.TRUE.equals(s.getValue("uniqueItems"));
    Set<String> seen = new HashSet<>();
    JsonArray out = new JsonArray();
    int made = 0;
    for (int i = 0; i < size; i++) {
      Object item = shape.schemaFor(i);
      item = item == null ? Boolean.TRUE : item;
      if (contains != null && made < wanted && i >= shape.prefix().size()) {
        item = SchemaMerge.merge(gen.resolved(item, at), gen.resolved(contains, at), gen.budget, pointer + "/contains");
        made++;
      }
      At itemAt = new At(shape.pointerFor(i), at.depth() + 1, at.refs(), at.name(), at.description());
      out.add(unique ? distinct(item, itemAt, seen, i) : gen.value(item, itemAt));
    }
    return out;
  }

  private Object distinct(Object schema, At at, Set<String> seen, int index) {
    int saved = gen.rotation;
    try {
      for (int attempt = 0; attempt < DISTINCT_TRIES; attempt++) {
        gen.rotation = saved + attempt;
        Object candidate = gen.value(schema, at);
        if (seen.add(Keywords.canonical(candidate))) {
          return candidate;
        }
      }
    } finally {
      gen.rotation = saved;
    }
    throw new SchemaError.Unlucky(at.pointer(), "has too few distinct values for item " + (index + 1)
        + " of an array with uniqueItems");
  }
}
