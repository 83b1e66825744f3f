package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A schema checked once for size and references: every {@code $ref} points inside the schema and
 * resolves, the schema holds at most {@link SchemaLimits#maxSchemaNodes()} nodes. It resolves
 * references and compiles patterns for the generator and the checker.
 */
final class SchemaIndex {

  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

  private final JsonObject root;
  private final Map<String, Object> anchors = new HashMap<>();
  private final Map<String, Pattern> patterns = new HashMap<>();
  private final Map<String, RegexNode> parsed = new HashMap<>();

  private SchemaIndex(JsonObject root) {
    this.root = root;
  }

  static SchemaIndex of(JsonObject root, SchemaLimits limits) {
    SchemaIndex index = new SchemaIndex(root);
    index.walk(limits);
    return index;
  }

  JsonObject root() {
    return root;
  }

  private record Entry(Object node, String pointer) {
  }

  private void walk(SchemaLimits limits) {
    Deque<Entry> pending = new ArrayDeque<>();
    pending.push(new Entry(root, "#"));
    Map<String, String> refs = new LinkedHashMap<>();
    int nodes = 0;
    while (!pending.isEmpty()) {
      Entry entry = pending.pop();
      if (++nodes > limits.maxSchemaNodes()) {
        throw SchemaError.at("#", "has more than " + limits.maxSchemaNodes() + " nodes");
      }
      if (entry.node() instanceof JsonObject object) {
        if (object.getValue("$ref") instanceof String ref) {
          refs.putIfAbsent(entry.pointer(), ref);
        }
        if (object.getValue("$anchor") instanceof String anchor) {
          anchors.putIfAbsent(anchor, object);
        }
        for (Map.Entry<String, Object> field : object) {
          pending.push(new Entry(field.getValue(), Keywords.child(entry.pointer(), field.getKey())));
        }
      } else if (entry.node() instanceof JsonArray array) {
        for (int i = 0; i < array.size(); i++) {
          pending.push(new Entry(array.getValue(i), entry.pointer() + "/" + i));
        }
      }
    }
    refs.forEach((pointer, ref) -> resolve(ref, pointer));
  }

  /** The schema a {@code $ref} names; the pointer is the schema holding the reference. */
  Object resolve(Object ref, String pointer) {
    if (!(ref instanceof String text)) {
      throw SchemaError.at(pointer, "has a '$ref' that is not a string");
    }
    if (!text.startsWith("#")) {
      throw SchemaError.at(pointer, "has '$ref' '" + text + "'; only references inside the schema ('#/...') are supported");
    }
    Object target = text.length() > 1 && text.charAt(1) != '/' ? anchors.get(text.substring(1)) : follow(text);
    if (!(target instanceof JsonObject) && !(target instanceof Boolean)) {
      throw SchemaError.at(pointer, "has '$ref' '" + text + "', which points to no schema");
    }
    return target;
  }

  /** The '#'-relative pointer of a reference, for messages. */
  static String pointerOf(Object ref) {
    return ref instanceof String text && text.startsWith("#/") ? text : "#";
  }

  private Object follow(String ref) {
    Object node = root;
    if (ref.length() <= 1) {
      return node;
    }
    for (String raw : ref.substring(2).split("/", -1)) {
      String token = decode(raw).replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonObject object) {
        node = object.getValue(token);
      } else if (node instanceof JsonArray array && DIGITS.matcher(token).matches() && Integer.parseInt(token) < array.size()) {
        node = array.getValue(Integer.parseInt(token));
      } else {
        return null;
      }
    }
    return node;
  }

  private static String decode(String token) {
    if (token.indexOf('%') < 0) {
      return token;
    }
    try {
      return URLDecoder.decode(token.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return token;
    }
  }

  Pattern pattern(String regex, String pointer) {
    Pattern compiled = patterns.get(regex);
    if (compiled == null) {
      try {
        compiled = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw SchemaError.at(pointer, "has 'pattern' " + Keywords.quote(regex) + ", which is not a valid regular expression");
      }
      patterns.put(regex, compiled);
    }
    return compiled;
  }

  /** The pattern parsed for generation, once per schema. */
  RegexNode parsed(String regex, String pointer) {
    RegexNode node = parsed.get(regex);
    if (node == null) {
      node = RegexParser.parse(regex, pointer);
      parsed.put(regex, node);
    }
    return node;
  }

  /**
   * Whether the pattern matches somewhere in the text, as JSON Schema's {@code pattern} asks. Each
   * character the regex engine reads costs a budget step, so no pattern can run away.
   */
  boolean find(String regex, String text, String pointer, Budget budget) {
    Pattern compiled = pattern(regex, pointer);
    try {
      return compiled.matcher(new Metered(text, budget, pointer)).find();
    } catch (StackOverflowError e) {
      throw new SchemaError.Exhausted(pointer, "has a 'pattern' too complex to match against a " + text.length()
          + "-character string");
    }
  }

  /** A string whose every read is counted. */
  private record Metered(String text, Budget budget, String pointer) implements CharSequence {
    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      budget.step(pointer);
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Metered(text.substring(start, end), budget, pointer);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
