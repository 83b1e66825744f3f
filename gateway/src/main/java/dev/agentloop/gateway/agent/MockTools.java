package dev.agentloop.gateway.agent;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's built-in tools. Each takes its own time, on a Vert.x timer (never a sleep), so a plan
 * of several calls shows whether they ran one after another or at once.
 */
final class MockTools {

  static final long CLOCK_MS = 20;
  static final long CALCULATOR_MS = 80;
  static final long LOOKUP_MS = 400;
  static final List<String> NAMES = List.of("clock", "calculator", "lookup");

  private final Vertx vertx;

  MockTools(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<JsonObject> call(String name, JsonObject arguments) {
    return switch (name) {
      case "clock" -> after(CLOCK_MS, () -> new JsonObject().put("now", Instant.now().toString()));
      case "calculator" -> after(CALCULATOR_MS, () -> new JsonObject()
          .put("value", Calculator.evaluate(arguments.getString("expression", ""))));
      case "lookup" -> after(LOOKUP_MS, () -> lookup(arguments.getString("query", "")));
      default -> Future.failedFuture(ApiException.badRequest("Unknown tool `" + name + "`.", "tools"));
    };
  }

  private Future<JsonObject> after(long millis, Supplier<JsonObject> result) {
    return vertx.timer(millis, TimeUnit.MILLISECONDS).map(v -> result.get());
  }

  private static JsonObject lookup(String query) {
    String key = query.trim().toLowerCase(Locale.ROOT);
    int hash = Math.abs(key.hashCode() % 1000);
    return new JsonObject().put("query", query)
        .put("fact", "The archive holds " + (hash + 1) + " entries about \"" + key + "\"; the oldest is from "
            + (1900 + hash % 120) + ".");
  }

  /** + - * / and parentheses over decimal numbers: a recursive-descent parser, nothing evaluated by a script engine. */
  static final class Calculator {
    /** Parentheses and signs nest at most this deep: the parser recurses once per level. */
    static final int MAX_DEPTH = 64;
    private final String text;
    private int pos;
    private int depth;

    private Calculator(String text) {
      this.text = text;
    }

    static double evaluate(String expression) {
      Calculator c = new Calculator(expression.replace(" ", ""));
      if (c.text.isEmpty()) {
        throw ApiException.badRequest("The calculator needs an expression.", "tools");
      }
      double value = c.sum();
      if (c.pos != c.text.length()) {
        throw ApiException.badRequest("The calculator cannot read `" + expression + "`.", "tools");
      }
      return value;
    }

    private double sum() {
      double value = product();
      while (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        value = text.charAt(pos++) == '+' ? value + product() : value - product();
      }
      return value;
    }

    private double product() {
      double value = factor();
      while (pos < text.length() && (text.charAt(pos) == '*' || text.charAt(pos) == '/')) {
        value = text.charAt(pos++) == '*' ? value * factor() : value / factor();
      }
      return value;
    }

    private double factor() {
      boolean nested = pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '(');
      if (nested && ++depth > MAX_DEPTH) {
        throw ApiException.badRequest("The calculator reads at most " + MAX_DEPTH + " nested signs and parentheses.",
            "tools");
      }
      try {
        return nested ? nestedFactor() : number();
      } finally {
        if (nested) {
          depth--;
        }
      }
    }

    private double nestedFactor() {
      if (text.charAt(pos++) == '-') {
        return -factor();
      }
      double value = sum();
      if (pos >= text.length() || text.charAt(pos) != ')') {
        throw ApiException.badRequest("The calculator found an unclosed parenthesis.", "tools");
      }
      pos++;
      return value;
    }

    private double number() {
      int start = pos;
      while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
        pos++;
      }
      if (start == pos) {
        throw ApiException.badRequest("The calculator expected a number at position " + start + ".", "tools");
      }
      try {
        return Double.parseDouble(text.substring(start, pos));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("The calculator cannot read `" + text.substring(start, pos) + "`.", "tools");
      }
    }
  }
}
