package dev.agentloop.llm.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One generation: walks the schema, resolves references and compositions, and hands plain schemas
 * to {@link Containers} and {@link Scalars}. Composite choices are verified with {@link SchemaCheck}.
 */
final class Generator {

  private static final int NOT_TRIES = 4;
  private static final int SHALLOW_NODES = 64;
  private static final int BRANCH_TRIES = 6;

  final SchemaIndex index;
  final Budget budget;
  final SchemaCheck check;
  final SchemaHints hints;
  final PatternStrings patterns;
  final Containers containers;
  final Scalars scalars;
  SplittableRandom random;
  /** Added to every choice while an array looks for distinct items, so each retry tries another value. */
  int rotation;
  final int[] hintCursors = new int[HintRole.values().length];
  int numberCursor;

  Generator(SchemaIndex index, Budget budget, SchemaHints hints, SplittableRandom random) {
    this.index = index;
    this.budget = budget;
    this.hints = hints;
    this.random = random;
    this.check = new SchemaCheck(index, budget);
    this.patterns = new PatternStrings(index, budget);
    this.containers = new Containers(this);
    this.scalars = new Scalars(this);
  }

  SchemaLimits limits() {
    return budget.limits();
  }

  int choose(int options) {
    return (random.nextInt(options) + rotation) % options;
  }

  Object value(Object schema, At at) {
    budget.node(at.pointer());
    if (at.depth() > limits().maxDepth()) {
      throw SchemaError.at(at.pointer(), "nests deeper than " + limits().maxDepth()
          + " levels; a recursive $ref needs a way out (an optional property, an empty array or a null branch)");
    }
    if (schema instanceof Boolean allowed) {
      if (allowed) {
        return scalars.anyValue(at);
      }
      throw SchemaError.at(at.pointer(), "is the schema 'false', which no value satisfies");
    }
    if (!(schema instanceof JsonObject s)) {
      throw SchemaError.at(at.pointer(), "is not a schema (expected an object or a boolean)");
    }
    if (s.containsKey("$ref")) {
      return viaRef(s, at);
    }
    if (s.containsKey("allOf")) {
      return allOf(s, at);
    }
    if (s.containsKey("anyOf")) {
      return branches(s, "anyOf", at);
    }
    if (s.containsKey("oneOf")) {
      return branches(s, "oneOf", at);
    }
    if (s.containsKey("if")) {
      return conditional(s, at);
    }
    if (s.containsKey("not")) {
      return negated(s, at);
    }
    return plain(s, at);
  }

  private Object viaRef(JsonObject s, At at) {
    Object ref = s.getValue("$ref");
    Object target = index.resolve(ref, at.pointer());
    JsonObject rest = Keywords.without(s, "$ref");
    String description = target instanceof JsonObject t && t.getValue("description") instanceof String d ? d : null;
    At next = at.viaRef(SchemaIndex.pointerOf(ref), description);
    if (!Keywords.assertsSomething(rest)) {
      return value(target, next);
    }
    return verified(s, SchemaMerge.merge(resolved(target, at), rest, budget, at.pointer()), next);
  }

  /** The schema with any top-level {@code $ref} replaced by its target merged with the siblings. */
  Object resolved(Object schema, At at) {
    Object current = schema;
    for (int hops = 0; current instanceof JsonObject s && s.containsKey("$ref"); hops++) {
      if (hops > limits().maxDepth()) {
        throw SchemaError.at(at.pointer(), "follows more than " + limits().maxDepth() + " '$ref's in a row (a reference cycle)");
      }
      JsonObject rest = Keywords.without(s, "$ref");
      Object target = index.resolve(s.getValue("$ref"), at.pointer());
      current = Keywords.assertsSomething(rest) ? SchemaMerge.merge(target, rest, budget, at.pointer()) : target;
    }
    return current;
  }

  private Object allOf(JsonObject s, At at) {
    JsonArray all = Keywords.array(s, "allOf", at.pointer(), true);
    Object merged = Keywords.without(s, "allOf");
    for (int i = 0; i < all.size(); i++) {
      merged = SchemaMerge.merge(merged, resolved(all.getValue(i), at.child(branchPointer(all, "allOf", i, at))), budget,
          at.pointer());
    }
    return verified(s, merged, at.child(at.pointer()));
  }

  /** A value of the combined schema that the original one accepts, in up to three tries. */
  private Object verified(JsonObject original, Object combined, At at) {
    String failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Object candidate = value(combined, at);
      failure = check.failure(original, candidate, at.pointer());
      if (failure == null) {
        return candidate;
      }
    }
    throw new SchemaError.Unlucky(at.pointer(), "combines keywords that no generated value satisfies together: " + failure);
  }

  private Object branches(JsonObject s, String keyword, At at) {
    JsonArray options = Keywords.array(s, keyword, at.pointer(), true);
    JsonObject base = Keywords.without(s, keyword);
    SchemaError first = null;
    int tries = "oneOf".equals(keyword) ? BRANCH_TRIES : 1;
    for (int i : order(options, at)) {
      At branchAt = at.child(branchPointer(options, keyword, i, at));
      try {
        Object branch = SchemaMerge.merge(base, resolved(options.getValue(i), branchAt), budget, at.pointer());
        for (int attempt = 0; attempt < tries; attempt++) {
          Object candidate = value(branch, branchAt);
          String failure = check.failure(s, candidate, at.pointer());
          if (failure == null) {
            return candidate;
          }
          first = first != null ? first : SchemaError.at(branchAt.pointer(), "gives a value that fails: " + failure);
        }
      } catch (SchemaError.Exhausted e) {
        throw e;
      } catch (SchemaError e) {
        first = first != null ? first : e;
      }
    }
    throw new SchemaError.Unlucky(at.pointer(), "has no branch of '" + keyword + "' that yields a valid value ("
        + first.describe() + ")");
  }

  /** Where a branch is: its reference's target when it is a {@code $ref}, else its place under the keyword. */
  private static String branchPointer(JsonArray options, String keyword, int i, At at) {
    return options.getValue(i) instanceof JsonObject branch && branch.getValue("$ref") instanceof String ref
        ? SchemaIndex.pointerOf(ref) : at.pointer() + "/" + keyword + "/" + i;
  }

  /** Branch order: a rotation chosen by the seed; when winding down, branches without references first. */
  private List<Integer> order(JsonArray options, At at) {
    List<Integer> order = new ArrayList<>(options.size());
    int start = choose(options.size());
    for (int i = 0; i < options.size(); i++) {
      order.add((start + i) % options.size());
    }
    if (at.winding(limits())) {
      order.sort(Comparator.comparingInt(i -> recursionCost(options.getValue(i), at)));
    }
    return order;
  }

  /** 0 for a null schema, 1 for one without references in its first nodes, 2 otherwise. */
  private int recursionCost(Object branch, At at) {
    if (branch instanceof JsonObject s && "null".equals(s.getValue("type"))) {
      return 0;
    }
    Deque<Object> pending = new ArrayDeque<>();
    pending.push(branch);
    for (int seen = 0; !pending.isEmpty(); seen++) {
      budget.step(at.pointer());
      Object node = pending.pop();
      if (seen > SHALLOW_NODES || node instanceof JsonObject o && o.containsKey("$ref")) {
        return 2;
      }
      if (node instanceof JsonObject o) {
        o.forEach(field -> pushPresent(pending, field.getValue()));
      } else if (node instanceof JsonArray a) {
        a.forEach(item -> pushPresent(pending, item));
      }
    }
    return 1;
  }

  private static void pushPresent(Deque<Object> pending, Object node) {
    if (node != null) {
      pending.push(node);
    }
  }

  private Object conditional(JsonObject s, At at) {
    JsonObject base = Keywords.without(s, "if", "then", "else");
    Object thenSide = SchemaMerge.merge(s.getValue("if"), s.getValue("then", true), budget, at.pointer());
    List<Object> sides = List.of(SchemaMerge.merge(base, thenSide, budget, at.pointer()),
        SchemaMerge.merge(base, s.getValue("else", true), budget, at.pointer()));
    int start = choose(2);
    String failure = null;
    for (int i = 0; i < 2; i++) {
      Object candidate = value(sides.get((start + i) % 2), at.child(at.pointer()));
      failure = check.failure(s, candidate, at.pointer());
      if (failure == null) {
        return candidate;
      }
    }
    throw new SchemaError.Unlucky(at.pointer(), "has 'if'/'then'/'else' that no generated value satisfies: " + failure);
  }

  private Object negated(JsonObject s, At at) {
    JsonObject base = Keywords.without(s, "not");
    for (int attempt = 0; attempt < NOT_TRIES; attempt++) {
      rotation += attempt;
      Object candidate = value(base, at.child(at.pointer()));
      rotation -= attempt;
      if (!check.valid(s.getValue("not"), candidate, at.pointer() + "/not")) {
        return candidate;
      }
    }
    throw new SchemaError.Unlucky(at.pointer(), "has a 'not' that rejects every value the mock tried");
  }

  private Object plain(JsonObject s, At at) {
    if (s.containsKey("const")) {
      return s.getValue("const");
    }
    if (s.containsKey("enum")) {
      return scalars.enumValue(s, at);
    }
    String type = TypeChoice.choose(this, s, at);
    return switch (type) {
      case "object" -> containers.object(s, at);
      case "array" -> containers.array(s, at);
      case "string" -> scalars.string(s, at);
      case "integer" -> scalars.number(s, at, true);
      case "number" -> scalars.number(s, at, false);
      case "boolean" -> choose(2) == 0;
      case "null" -> null;
      default -> scalars.anyValue(at);
    };
  }
}
