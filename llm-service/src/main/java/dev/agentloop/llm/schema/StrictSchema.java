package dev.agentloop.llm.schema;

import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * OpenAI's strict-mode rules for a schema ({@code strict: true} on a function or a
 * {@code json_schema} response format): the root is an object, and every object lists all its
 * properties in {@code required} and sets {@code additionalProperties: false}. Violations are
 * worded as OpenAI words them, e.g. {@code In context=('properties', 'address'),
 * 'additionalProperties' is required to be supplied and to be false.}
 */
public final class StrictSchema {

  private static final String[] CHILD_MAPS = {"properties", "$defs", "definitions"};
  private static final String[] CHILD_LISTS = {"anyOf", "allOf", "oneOf", "prefixItems"};

  private StrictSchema() {
  }

  /** The first rule the schema breaks, or empty when it meets them all. The walk visits at most {@code maxSchemaNodes} schemas. */
  public static Optional<String> violation(JsonObject schema, SchemaLimits limits) {
    Object type = schema.getValue("type");
    if (!"object".equals(type)) {
      return Optional.of("schema must be a JSON Schema of 'type: \"object\"', got 'type: \"" + (type == null ? "None" : type)
          + "\"'.");
    }
    Deque<Node> pending = new ArrayDeque<>();
    pending.push(new Node(schema, null));
    for (int visited = 0; !pending.isEmpty() && visited < limits.maxSchemaNodes(); visited++) {
      Node node = pending.pop();
      Optional<String> broken = objectRule(node);
      if (broken.isPresent()) {
        return broken;
      }
      List<Node> children = children(node);
      for (int i = children.size() - 1; i >= 0; i--) {
        pending.push(children.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * Fails with OpenAI's 400 when the schema breaks a rule.
   *
   * @param subject what the schema belongs to, e.g. {@code function 'get_weather'} or {@code response_format 'answer'}
   * @param param the request parameter, e.g. {@code tools[0].function.parameters}
   * @param code the error code, e.g. {@code invalid_function_parameters} or {@code invalid_json_schema}
   */
  public static void check(JsonObject schema, String subject, String param, String code, SchemaLimits limits) {
    violation(schema, limits).ifPresent(problem -> {
      throw ApiException.badRequest("Invalid schema for " + subject + ": " + problem, param, code);
    });
  }

  /** A schema and its path from the root, kept as a chain so that each step costs O(1). */
  private record Node(JsonObject schema, Path context) {
  }

  private record Path(Path parent, String key) {
    List<String> keys() {
      List<String> keys = new ArrayList<>();
      for (Path at = this; at != null; at = at.parent()) {
        keys.add(0, at.key());
      }
      return keys;
    }
  }

  private static Optional<String> objectRule(Node node) {
    JsonObject schema = node.schema();
    if (!isObject(schema)) {
      return Optional.empty();
    }
    String where = "In context=" + tuple(node.context() == null ? List.of() : node.context().keys()) + ", ";
    if (!Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
      return Optional.of(where + "'additionalProperties' is required to be supplied and to be false.");
    }
    JsonObject properties = schema.getValue("properties") instanceof JsonObject p ? p : new JsonObject();
    Set<Object> required = new HashSet<>();
    if (schema.getValue("required") instanceof JsonArray names) {
      names.forEach(required::add);
    }
    for (String name : properties.fieldNames()) {
      if (!required.contains(name)) {
        return Optional.of(where + "'required' is required to be supplied and to be an array including every key in "
            + "properties. Missing '" + name + "'.");
      }
    }
    return Optional.empty();
  }

  private static boolean isObject(JsonObject schema) {
    Object type = schema.getValue("type");
    return "object".equals(type) || type instanceof JsonArray types && types.contains("object")
        || type == null && schema.containsKey("properties");
  }

  private static List<Node> children(Node node) {
    List<Node> out = new ArrayList<>();
    JsonObject schema = node.schema();
    for (String key : CHILD_MAPS) {
      if (schema.getValue(key) instanceof JsonObject map) {
        for (String name : map.fieldNames()) {
          if (map.getValue(name) instanceof JsonObject child) {
            out.add(new Node(child, append(node.context(), key, name)));
          }
        }
      }
    }
    if (schema.getValue("items") instanceof JsonObject items) {
      out.add(new Node(items, append(node.context(), "items")));
    }
    for (String key : CHILD_LISTS) {
      if (schema.getValue(key) instanceof JsonArray list) {
        for (int i = 0; i < list.size(); i++) {
          if (list.getValue(i) instanceof JsonObject child) {
            out.add(new Node(child, append(node.context(), key, Integer.toString(i))));
          }
        }
      }
    }
    return out;
  }

  private static Path append(Path context, String... keys) {
    Path out = context;
    for (String key : keys) {
      out = new Path(out, key);
    }
    return out;
  }

  /** A Python tuple's text: {@code ()}, {@code ('a',)}, {@code ('a', 'b')}. */
  private static String tuple(List<String> context) {
    if (context.isEmpty()) {
      return "()";
    }
    List<String> quoted = context.stream().map(part -> "'" + part + "'").toList();
    return "(" + String.join(", ", quoted) + (quoted.size() == 1 ? ",)" : ")");
  }
}
