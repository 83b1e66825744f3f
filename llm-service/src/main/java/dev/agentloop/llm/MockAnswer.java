package dev.agentloop.llm;

import dev.agentloop.contract.chat.ChatOptions;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.llm.schema.JsonFragments;
import dev.agentloop.llm.schema.SchemaHints;
import dev.agentloop.llm.schema.SchemaLimits;
import dev.agentloop.llm.schema.SchemaValues;
import dev.agentloop.llm.schema.StrictSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What the mock answers, with no scenario matching, deterministic for the same request:
 * <ul>
 *   <li>tools offered ({@code tool_choice} not {@code none}) and no tool result after the last user
 *   message: tool calls, {@code finish_reason: "tool_calls"}. A named {@code tool_choice} calls that
 *   function; otherwise the tools named in the last user message (all of them, unless
 *   {@code parallel_tool_calls} is false), else the first tool. Arguments come from the tool's
 *   schema ({@link SchemaValues}), with words of the user's message where a property suggests them;</li>
 *   <li>tool results after the last user message: a text holding each result's content verbatim;</li>
 *   <li>{@code response_format} {@code json_schema}: JSON valid against the schema; {@code json_object}: a JSON object;</li>
 *   <li>otherwise the model's text ({@link TextGenerator}).</li>
 * </ul>
 * {@code max_tokens} cuts any of them ({@code finish_reason: "length"}); {@code stop} cuts text before
 * the first stop string; {@code seed} picks another text; {@code n} makes that many choices, each
 * with its own seed. A schema that cannot be used is a 400 naming its parameter.
 */
final class MockAnswer {

  static final SchemaLimits LIMITS = new SchemaLimits(32, 10_000, 262_144, 10_000, 200_000, 4096);
  /** The longest argument or JSON fragment: one token. */
  private static final int MAX_PIECE = 8;
  /**
   * The most entries one choice holds, whatever the tools: past it no further call is generated
   * and the answer ends with {@code length}, so 128 tools named at once cost a bounded answer.
   */
  static final int MAX_ENTRIES = 32_768;
  private static final JsonObject EMPTY_OBJECT = new JsonObject().put("type", "object").put("properties", new JsonObject());
  private static final JsonObject ANY_OBJECT = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("answer", new JsonObject().put("type", "string"))
          .put("topic", new JsonObject().put("type", "string")).put("confidence", new JsonObject().put("type", "number")
              .put("minimum", 0).put("maximum", 1)))
      .put("required", new JsonArray().add("answer").add("topic").add("confidence"))
      .put("additionalProperties", false);

  private final ModelSpec model;
  private final ChatRequest request;
  private final ChatOptions options;
  private final SchemaHints hints;
  private final long baseSeed;

  private MockAnswer(ModelSpec model, ChatRequest request) {
    this.model = model;
    this.request = request;
    this.options = request.options();
    this.hints = SchemaHints.of(withoutToolNames(ChatRequest.lastUserText(request.messages())),
        LIMITS.maxHintChars());
    this.baseSeed = TextGenerator.seedOf(model, request);
  }

  /** The user's words without the tool names it mentions: "call GetWeather for Berlin" hints Berlin, not GetWeather. */
  private String withoutToolNames(String text) {
    String out = text;
    for (int i = 0; i < options.tools().size(); i++) {
      out = out.replace(options.toolName(i), " ");
    }
    return out;
  }

  /** The plan of the answer; throws a 400 when a tool's or the response format's schema cannot be used. */
  static Plan of(ModelSpec model, ChatRequest request) {
    return new MockAnswer(model, request).plan();
  }

  private Plan plan() {
    List<SchemaValues> tools = compileTools();
    SchemaValues format = compileFormat();
    List<String> results = pendingToolResults(request.messages());
    List<Plan> choices = new ArrayList<>(request.n());
    for (int choice = 0; choice < request.n(); choice++) {
      long salt = salt(choice);
      if (options.toolsOffered() && results == null) {
        choices.add(toolCalls(tools, choice, salt));
      } else if (results != null) {
        choices.add(text("Here is what the tools returned:\n" + String.join("\n", results), choice));
      } else if (format != null) {
        choices.add(text(format.generateJson(hints, baseSeed ^ salt), choice));
      } else {
        choices.add(modelText(choice, salt));
      }
    }
    return Plan.concat(choices);
  }

  /** 0 for the first choice without a seed, so that plain requests keep their text. */
  private long salt(int choice) {
    long seed = options.seed() == null ? 0 : options.seed() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    return seed ^ (choice * 0xD1B54A32D192ED03L);
  }

  private List<SchemaValues> compileTools() {
    List<SchemaValues> compiled = new ArrayList<>();
    JsonArray tools = options.tools();
    for (int i = 0; i < tools.size(); i++) {
      JsonObject function = tools.getJsonObject(i).getJsonObject("function");
      JsonObject schema = function.getJsonObject("parameters", EMPTY_OBJECT);
      String param = "tools[" + i + "].function.parameters";
      if (function.getBoolean("strict", false)) {
        StrictSchema.check(schema, "function '" + function.getString("name") + "'", param, "invalid_function_parameters",
            LIMITS);
      }
      compiled.add(SchemaValues.compile(schema, LIMITS, param));
    }
    return compiled;
  }

  private SchemaValues compileFormat() {
    return switch (options.formatType()) {
      case "json_object" -> SchemaValues.compile(ANY_OBJECT, LIMITS, "response_format");
      case "json_schema" -> {
        JsonObject spec = options.responseFormat().getJsonObject("json_schema");
        JsonObject schema = spec.getJsonObject("schema", EMPTY_OBJECT);
        if (spec.getBoolean("strict", false)) {
          StrictSchema.check(schema, "response_format '" + spec.getString("name") + "'", "response_format",
              "invalid_json_schema", LIMITS);
        }
        yield SchemaValues.compile(schema, LIMITS, "response_format.json_schema.schema");
      }
      default -> null;
    };
  }

  /** The contents of the tool messages after the last user message, or null when there are none. */
  static List<String> pendingToolResults(JsonArray messages) {
    List<String> results = new ArrayList<>();
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject message = messages.getJsonObject(i);
      Object role = message.getValue("role");
      if ("user".equals(role)) {
        break;
      }
      if ("tool".equals(role)) {
        results.add(0, ChatRequest.text(message));
      }
    }
    return results.isEmpty() ? null : results;
  }

  /** Which tools to call: the named one; else those the user named (one unless parallel); else the first. */
  private List<Integer> chosenTools() {
    JsonArray tools = options.tools();
    if (options.toolName() != null) {
      for (int i = 0; i < tools.size(); i++) {
        if (options.toolName(i).equals(options.toolName())) {
          return List.of(i);
        }
      }
    }
    String said = ChatRequest.lastUserText(request.messages()).toLowerCase(Locale.ROOT);
    List<Integer> named = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      if (said.contains(options.toolName(i).toLowerCase(Locale.ROOT))) {
        named.add(i);
      }
    }
    if (named.isEmpty()) {
      return List.of(0);
    }
    return options.parallelToolCalls() ? named : List.of(named.get(0));
  }

  private Plan toolCalls(List<SchemaValues> schemas, int choice, long salt) {
    List<Delta> deltas = new ArrayList<>();
    List<Integer> chosen = chosenTools();
    int limit = request.maxTokens() == null ? MAX_ENTRIES : Math.min(MAX_ENTRIES, request.maxTokens());
    int call = 0;
    for (; call < chosen.size() && deltas.size() < limit; call++) {
      int tool = chosen.get(call);
      String arguments = schemas.get(tool).generateJson(hints, baseSeed ^ salt ^ (tool + 1) * 0xBF58476D1CE4E5B9L);
      deltas.add(new Delta.ToolCallStart(call, callId(), options.toolName(tool), choice));
      for (String fragment : JsonFragments.split(arguments, MAX_PIECE)) {
        deltas.add(new Delta.ToolArguments(call, fragment, choice));
      }
    }
    if (call < chosen.size()) {
      return Plan.of(new ArrayList<>(deltas.subList(0, Math.min(deltas.size(), limit))), "length");
    }
    return cut(deltas, "tool_calls");
  }

  /** {@code call_} and 24 hex digits, unique per call. */
  static String callId() {
    UUID uuid = UUID.randomUUID();
    String hex = Long.toHexString(uuid.getMostSignificantBits()) + Long.toHexString(uuid.getLeastSignificantBits());
    return "call_" + (hex + "000000000000000000000000").substring(0, 24);
  }

  /** A text cut at the first stop string, as tokens (JSON texts in JSON-sized fragments). */
  private Plan text(String text, int choice) {
    String kept = beforeStop(text);
    List<String> tokens = text.startsWith("{") || text.startsWith("[") ? JsonFragments.split(kept, MAX_PIECE)
        : Plan.words(kept);
    List<Delta> deltas = new ArrayList<>(tokens.size());
    tokens.forEach(token -> deltas.add(new Delta.Text(token, choice)));
    return cut(deltas, "stop");
  }

  private Plan modelText(int choice, long salt) {
    TextGenerator generator = TextGenerator.of(model, request, salt);
    if (options.stop().isEmpty()) {
      return Plan.of(generator, TextGenerator.finishReason(request), choice);
    }
    StringBuilder all = new StringBuilder();
    while (generator.hasNext()) {
      all.append(generator.next());
    }
    String kept = beforeStop(all.toString());
    List<Delta> deltas = new ArrayList<>();
    Plan.words(kept).forEach(token -> deltas.add(new Delta.Text(token, choice)));
    return Plan.of(deltas, kept.length() < all.length() ? "stop" : TextGenerator.finishReason(request));
  }

  private String beforeStop(String text) {
    int at = text.length();
    for (String stop : options.stop()) {
      int found = text.indexOf(stop);
      if (found >= 0 && found < at) {
        at = found;
      }
    }
    return text.substring(0, at);
  }

  /**
   * At most {@code max_tokens} (and {@link #MAX_ENTRIES}) entries: cut there with
   * {@code finish_reason: "length"}; tool calls stopped short by the bound end the same way.
   */
  private Plan cut(List<Delta> deltas, String finishReason) {
    int max = request.maxTokens() == null ? MAX_ENTRIES : Math.min(MAX_ENTRIES, request.maxTokens());
    if (deltas.size() > max) {
      return Plan.of(new ArrayList<>(deltas.subList(0, max)), "length");
    }
    return Plan.of(deltas, finishReason);
  }
}
