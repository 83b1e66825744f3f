package dev.agentloop.contract.chat;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.stream.Delta;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Chat Completions fields beyond the messages that shape an answer: {@code tools},
 * {@code tool_choice}, {@code parallel_tool_calls}, {@code response_format}, {@code stop} and
 * {@code seed}, checked with OpenAI's 400s wherever a request enters (HTTP or the bus). They travel
 * on the bus under the same names. The schemas themselves are compiled where answers are made.
 *
 * @param tools the function tools, as sent, or empty
 * @param toolChoice {@code none}, {@code auto}, {@code required}, or {@code function} with {@link #toolName}
 * @param toolName the function a named {@code tool_choice} asks for, else null
 * @param parallelToolCalls whether several tools may be called in one answer
 * @param responseFormat the {@code response_format} object, or null for text
 * @param stop the stop strings, at most 4, possibly empty
 * @param seed the client's seed, or null
 */
public record ChatOptions(JsonArray tools, String toolChoice, String toolName, boolean parallelToolCalls,
    JsonObject responseFormat, List<String> stop, Long seed) {

  public static final ChatOptions NONE = new ChatOptions(new JsonArray(), "none", null, true, null, List.of(), null);
  public static final int MAX_STOP = 4;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final int MAX_NAME = 64;

  /** Reads the fields from a request body (HTTP or bus); absent ones take OpenAI's defaults. */
  public static ChatOptions from(JsonObject body) {
    JsonArray tools = tools(body.getValue("tools"));
    String[] choice = toolChoice(body.getValue("tool_choice"), tools);
    Object parallel = body.getValue("parallel_tool_calls");
    if (parallel != null && !(parallel instanceof Boolean)) {
      throw ApiException.badRequest("Invalid type for 'parallel_tool_calls': expected a boolean.",
          "parallel_tool_calls", "invalid_type");
    }
    JsonObject format = responseFormat(body.getValue("response_format"));
    return new ChatOptions(tools, choice[0], choice[1], parallel == null || (Boolean) parallel, format,
        stop(body.getValue("stop")), seed(body.getValue("seed")));
  }

  /** Puts the non-default fields into a bus message. */
  public JsonObject into(JsonObject bus) {
    if (!tools.isEmpty()) {
      bus.put("tools", tools);
      bus.put("tool_choice", toolName != null
          ? new JsonObject().put("type", "function").put("function", new JsonObject().put("name", toolName))
          : toolChoice);
      bus.put("parallel_tool_calls", parallelToolCalls);
    }
    if (responseFormat != null) {
      bus.put("response_format", responseFormat);
    }
    if (!stop.isEmpty()) {
      bus.put("stop", new JsonArray(new ArrayList<>(stop)));
    }
    if (seed != null) {
      bus.put("seed", seed);
    }
    return bus;
  }

  /** Whether the answer should be tool calls rather than text, tools aside ({@code none}). */
  public boolean toolsOffered() {
    return !tools.isEmpty() && !"none".equals(toolChoice);
  }

  /** The {@code response_format} type: {@code text}, {@code json_object} or {@code json_schema}. */
  public String formatType() {
    return responseFormat == null ? "text" : responseFormat.getString("type");
  }

  /** The name of tool {@code i}. */
  public String toolName(int i) {
    return tools.getJsonObject(i).getJsonObject("function").getString("name");
  }

  private static JsonArray tools(Object value) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray tools)) {
      throw ApiException.badRequest("Invalid type for 'tools': expected an array of objects.", "tools", "invalid_type");
    }
    if (tools.size() > Delta.MAX_TOOL_CALLS) {
      throw ApiException.badRequest("Invalid 'tools': array too long. Expected an array with maximum length "
          + Delta.MAX_TOOL_CALLS + ", but got an array with length " + tools.size() + " instead.", "tools",
          "array_above_max_length");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      String param = "tools[" + i + "]";
      if (!(tools.getValue(i) instanceof JsonObject tool)) {
        throw ApiException.badRequest("Invalid type for '" + param + "': expected an object.", param, "invalid_type");
      }
      Object type = tool.getValue("type");
      if (type == null) {
        throw missing(param + ".type");
      }
      if (!"function".equals(type)) {
        throw ApiException.badRequest("Invalid value: '" + type + "'. Supported values are: 'function'.",
            param + ".type", "invalid_value");
      }
      Object function = tool.getValue("function");
      if (function == null) {
        throw missing(param + ".function");
      }
      if (!(function instanceof JsonObject f)) {
        throw ApiException.badRequest("Invalid type for '" + param + ".function': expected an object.",
            param + ".function", "invalid_type");
      }
      String name = name(f.getValue("name"), param + ".function.name");
      if (names.contains(name)) {
        throw ApiException.badRequest("Invalid 'tools': duplicate function name '" + name + "'.", "tools",
            "invalid_value");
      }
      names.add(name);
      Object description = f.getValue("description");
      if (description != null && !(description instanceof String)) {
        throw ApiException.badRequest("Invalid type for '" + param + ".function.description': expected a string.",
            param + ".function.description", "invalid_type");
      }
      Object parameters = f.getValue("parameters");
      if (parameters != null && !(parameters instanceof JsonObject)) {
        throw ApiException.badRequest("Invalid type for '" + param + ".function.parameters': expected an object.",
            param + ".function.parameters", "invalid_type");
      }
      Object strict = f.getValue("strict");
      if (strict != null && !(strict instanceof Boolean)) {
        throw ApiException.badRequest("Invalid type for '" + param + ".function.strict': expected a boolean.",
            param + ".function.strict", "invalid_type");
      }
    }
    return tools;
  }

  /** A function name as OpenAI allows it: 1 to 64 letters, digits, underscores and dashes. */
  static String name(Object value, String param) {
    if (value == null) {
      throw missing(param);
    }
    if (!(value instanceof String name)) {
      throw ApiException.badRequest("Invalid type for '" + param + "': expected a string.", param, "invalid_type");
    }
    if (name.length() > MAX_NAME) {
      throw ApiException.badRequest("Invalid '" + param + "': string too long. Expected a string with maximum length "
          + MAX_NAME + ", but got a string with length " + name.length() + " instead.", param,
          "string_above_max_length");
    }
    if (!NAME.matcher(name).matches()) {
      throw ApiException.badRequest("Invalid '" + param + "': string does not match pattern. Expected a string that "
          + "matches the pattern '^[a-zA-Z0-9_-]+$'.", param, "invalid_value");
    }
    return name;
  }

  private static String[] toolChoice(Object value, JsonArray tools) {
    if (value == null) {
      return new String[] {tools.isEmpty() ? "none" : "auto", null};
    }
    if (value instanceof String mode) {
      if (!mode.equals("none") && !mode.equals("auto") && !mode.equals("required")) {
        throw ApiException.badRequest("Invalid value: '" + mode + "'. Supported values are: 'none', 'auto', and "
            + "'required'.", "tool_choice", "invalid_value");
      }
      if (tools.isEmpty() && !mode.equals("none")) {
        throw onlyWithTools();
      }
      return new String[] {mode, null};
    }
    if (!(value instanceof JsonObject named)) {
      throw ApiException.badRequest("Invalid type for 'tool_choice': expected a string or an object.", "tool_choice",
          "invalid_type");
    }
    if (!"function".equals(named.getValue("type"))) {
      throw ApiException.badRequest("Invalid value: '" + named.getValue("type") + "'. Supported values are: "
          + "'function'.", "tool_choice.type", "invalid_value");
    }
    if (!(named.getValue("function") instanceof JsonObject function)) {
      throw missing("tool_choice.function");
    }
    String name = name(function.getValue("name"), "tool_choice.function.name");
    if (tools.isEmpty()) {
      throw onlyWithTools();
    }
    for (int i = 0; i < tools.size(); i++) {
      if (name.equals(tools.getJsonObject(i).getJsonObject("function").getString("name"))) {
        return new String[] {"function", name};
      }
    }
    throw ApiException.badRequest("Invalid value for 'tool_choice': function '" + name + "' is not among the "
        + "'tools'.", "tool_choice", "invalid_value");
  }

  private static ApiException onlyWithTools() {
    return ApiException.badRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
        + "specified.", "tool_choice", "invalid_value");
  }

  private static JsonObject responseFormat(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject format)) {
      throw ApiException.badRequest("Invalid type for 'response_format': expected an object.", "response_format",
          "invalid_type");
    }
    Object type = format.getValue("type");
    if (type == null) {
      throw missing("response_format.type");
    }
    if ("text".equals(type)) {
      return null;
    }
    if ("json_object".equals(type)) {
      return format;
    }
    if (!"json_schema".equals(type)) {
      throw ApiException.badRequest("Invalid value: '" + type + "'. Supported values are: 'json_object', "
          + "'json_schema', and 'text'.", "response_format.type", "invalid_value");
    }
    Object spec = format.getValue("json_schema");
    if (spec == null) {
      throw missing("response_format.json_schema");
    }
    if (!(spec instanceof JsonObject schemaSpec)) {
      throw ApiException.badRequest("Invalid type for 'response_format.json_schema': expected an object.",
          "response_format.json_schema", "invalid_type");
    }
    name(schemaSpec.getValue("name"), "response_format.json_schema.name");
    Object schema = schemaSpec.getValue("schema");
    if (schema != null && !(schema instanceof JsonObject)) {
      throw ApiException.badRequest("Invalid type for 'response_format.json_schema.schema': expected an object.",
          "response_format.json_schema.schema", "invalid_type");
    }
    Object strict = schemaSpec.getValue("strict");
    if (strict != null && !(strict instanceof Boolean)) {
      throw ApiException.badRequest("Invalid type for 'response_format.json_schema.strict': expected a boolean.",
          "response_format.json_schema.strict", "invalid_type");
    }
    return format;
  }

  private static List<String> stop(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof String one) {
      return List.of(one);
    }
    if (!(value instanceof JsonArray many)) {
      throw ApiException.badRequest("Invalid type for 'stop': expected a string or an array of strings.", "stop",
          "invalid_type");
    }
    if (many.size() > MAX_STOP) {
      throw ApiException.badRequest("Invalid 'stop': array too long. Expected an array with maximum length " + MAX_STOP
          + ", but got an array with length " + many.size() + " instead.", "stop", "array_above_max_length");
    }
    List<String> stop = new ArrayList<>(many.size());
    for (int i = 0; i < many.size(); i++) {
      if (!(many.getValue(i) instanceof String s)) {
        throw ApiException.badRequest("Invalid type for 'stop[" + i + "]': expected a string.", "stop[" + i + "]",
            "invalid_type");
      }
      if (!s.isEmpty()) {
        stop.add(s);
      }
    }
    return List.copyOf(stop);
  }

  private static Long seed(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw ApiException.badRequest("Invalid type for 'seed': expected an integer.", "seed", "invalid_type");
    }
    return ((Number) value).longValue();
  }

  private static ApiException missing(String param) {
    return ApiException.badRequest("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
  }
}
