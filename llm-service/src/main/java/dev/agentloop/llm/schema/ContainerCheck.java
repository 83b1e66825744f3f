package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The object and array keywords of {@link SchemaCheck}. */
final class ContainerCheck {

  private ContainerCheck() {
  }

  static boolean object(SchemaCheck check, JsonObject s, JsonObject value, String pointer, int depth) {
    int size = value.size();
    if (size < Keywords.count(s, "minProperties", 0, pointer)
        || size > Keywords.count(s, "maxProperties", Integer.MAX_VALUE, pointer)) {
      return check.failAt(pointer, "has " + size + " properties, outside minProperties/maxProperties");
    }
    for (String name : Keywords.strings(s, "required", pointer)) {
      if (!value.containsKey(name)) {
        return check.failAt(pointer, "lacks the required property '" + name + "'");
      }
    }
    JsonObject properties = Keywords.object(s, "properties", pointer);
    JsonObject patterns = Keywords.object(s, "patternProperties", pointer);
    Object additional = s.getValue("additionalProperties");
    Object names = s.getValue("propertyNames");
    for (Map.Entry<String, Object> field : value) {
      String name = field.getKey();
      check.step(pointer);
      boolean declared = properties.containsKey(name);
      if (declared && !check.child(properties.getValue(name), field.getValue(),
          Keywords.child(pointer + "/properties", name), depth)) {
        return false;
      }
      for (String regex : patterns.fieldNames()) {
        String at = Keywords.child(pointer + "/patternProperties", regex);
        if (check.index().find(regex, name, at, check.budget())) {
          declared = true;
          if (!check.child(patterns.getValue(regex), field.getValue(), at, depth)) {
            return false;
          }
        }
      }
      if (!declared && additional != null
          && !check.child(additional, field.getValue(), pointer + "/additionalProperties", depth)) {
        return check.failAt(pointer, "has the property '" + name + "', which 'additionalProperties' rejects");
      }
      if (names != null && !check.child(names, name, pointer + "/propertyNames", depth)) {
        return false;
      }
    }
    return dependencies(check, s, value, pointer, depth);
  }

  private static boolean dependencies(SchemaCheck check, JsonObject s, JsonObject value, String pointer, int depth) {
    for (String keyword : new String[] {"dependentRequired", "dependencies", "dependentSchemas"}) {
      JsonObject dependencies = Keywords.object(s, keyword, pointer);
      for (String name : dependencies.fieldNames()) {
        if (!value.containsKey(name)) {
          continue;
        }
        Object dependency = dependencies.getValue(name);
        if (dependency instanceof JsonArray) {
          for (String needed : Keywords.strings(dependencies, name, pointer + "/" + keyword)) {
            if (!value.containsKey(needed)) {
              return check.failAt(pointer, "has '" + name + "' without '" + needed + "', which '" + keyword + "' asks for");
            }
          }
        } else if (!check.child(dependency, value, Keywords.child(pointer + "/" + keyword, name), depth)) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean array(SchemaCheck check, JsonObject s, JsonArray value, String pointer, int depth) {
    int size = value.size();
    if (size < Keywords.count(s, "minItems", 0, pointer) || size > Keywords.count(s, "maxItems", Integer.MAX_VALUE, pointer)) {
      return check.failAt(pointer, "has " + size + " items, outside minItems/maxItems");
    }
    ArrayShape shape = ArrayShape.of(s, pointer);
    for (int i = 0; i < size; i++) {
      Object schema = shape.schemaFor(i);
      if (schema != null && !check.child(schema, value.getValue(i), shape.pointerFor(i), depth)) {
        return false;
      }
    }
    if (Boolean.TRUE.equals(s.getValue("uniqueItems"))) {
      Set<String> seen = new HashSet<>();
      for (Object item : value) {
        check.step(pointer);
        if (!seen.add(Keywords.canonical(item))) {
          return check.failAt(pointer, "repeats an item, which 'uniqueItems' forbids");
        }
      }
    }
    if (s.containsKey("contains")) {
      int found = 0;
      for (Object item : value) {
        if (check.child(s.getValue("contains"), item, pointer + "/contains", depth)) {
          found++;
        }
      }
      if (found < Keywords.count(s, "minContains", 1, pointer)
          || found > Keywords.count(s, "maxContains", Integer.MAX_VALUE, pointer)) {
        return check.failAt(pointer, "has " + found + " items matching 'contains', outside minContains/maxContains");
      }
    }
    return true;
  }
}
