package dev.agentloop.contract.chat;

import java.math.BigInteger;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * A validated chat-completion request. The same checks run at the gateway (from HTTP) and at the
 * llm-service (from the event bus), so a malformed message is refused wherever it enters.
 *
 * <p>On the bus it travels as {@code {"id","model","messages","max_tokens","n"}} plus the
 * {@link ChatOptions} fields that are set, under their OpenAI names.
 */
public record ChatRequest(String id, String model, JsonArray messages, Integer maxTokens, boolean stream,
    boolean includeUsage, String conversationId, ChatOptions options, int n) {

  public static final int MAX_CHOICES = 8;

  public ChatRequest {
    options = options == null ? ChatOptions.NONE : options;
  }

  /** A request outside any stored conversation. */
  public ChatRequest(String id, String model, JsonArray messages, Integer maxTokens, boolean stream,
      boolean includeUsage) {
    this(id, model, messages, maxTokens, stream, includeUsage, null);
  }

  /** A plain request: no tools, text, one choice. */
  public ChatRequest(String id, String model, JsonArray messages, Integer maxTokens, boolean stream,
      boolean includeUsage, String conversationId) {
    this(id, model, messages, maxTokens, stream, includeUsage, conversationId, ChatOptions.NONE, 1);
  }

  public static final int DEFAULT_MAX_TOKENS_LIMIT = 100_000;
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  public static ChatRequest fromHttp(JsonObject body, String id, HttpLimits limits) {
    String model = requireModel(body);
    JsonArray messages = requireMessages(body.getValue("messages"));
    checkSizes(messages, limits);
    Integer maxTokens = maxTokens(body, limits.maxTokensLimit());
    boolean stream = optionalBoolean(body, "stream", false);
    boolean includeUsage = false;
    Object options = body.getValue("stream_options");
    if (options != null) {
      if (!(options instanceof JsonObject streamOptions)) {
        throw ApiException.badRequest("Invalid type for 'stream_options': expected an object.", "stream_options");
      }
      if (!stream) {
        throw ApiException.badRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options");
      }
      includeUsage = optionalBoolean(streamOptions, "include_usage", false, "stream_options.include_usage");
    }
    int n = choices(body);
    checkNumber(body, "temperature", 0, 2);
    checkNumber(body, "top_p", 0, 1);
    checkNumber(body, "presence_penalty", -2, 2);
    checkNumber(body, "frequency_penalty", -2, 2);
    Object conversationId = body.getValue("conversation_id");
    if (conversationId != null && !(conversationId instanceof String)) {
      throw ApiException.badRequest("Invalid type for 'conversation_id': expected a string.", "conversation_id",
          "invalid_type");
    }
    if (conversationId == null) {
      ToolMessages.checkPairs(messages); // in a conversation the calls may be in the stored history
    }
    ChatOptions chatOptions = ChatOptions.from(body);
    checkJsonWord(chatOptions, messages);
    return new ChatRequest(id, model, messages, maxTokens, stream, includeUsage, (String) conversationId, chatOptions,
        n);
  }

  /**
   * Reads a request off the event bus; malformed bodies get the same 400s as at the gateway, and
   * {@code max_tokens} the same configured upper bound.
   */
  public static ChatRequest fromBus(Object body, int maxTokensLimit) {
    if (!(body instanceof JsonObject json)) {
      throw ApiException.badRequest("The request must be a JSON object.", null);
    }
    Object id = json.getValue("id");
    if (id != null && !(id instanceof String)) {
      throw ApiException.badRequest("Invalid type for 'id': expected a string.", "id");
    }
    JsonArray messages = requireMessages(json.getValue("messages"));
    ToolMessages.checkPairs(messages);
    ChatOptions options = ChatOptions.from(json);
    checkJsonWord(options, messages);
    return new ChatRequest((String) id, requireModel(json), messages, maxTokens(json, maxTokensLimit), false, false,
        null, options, choices(json));
  }

  private static int choices(JsonObject body) {
    Object n = body.getValue("n");
    if (n == null) {
      return 1;
    }
    if (!isInteger(n)) {
      throw ApiException.badRequest("Invalid type for 'n': expected an integer.", "n", "invalid_type");
    }
    long count = ((Number) n).longValue();
    if (count < 1 || count > MAX_CHOICES) {
      throw ApiException.badRequest("Invalid 'n': must be between 1 and " + MAX_CHOICES + ", got " + n + ".", "n",
          "invalid_value");
    }
    return (int) count;
  }

  /** OpenAI refuses {@code json_object} unless a message mentions JSON. */
  private static void checkJsonWord(ChatOptions options, JsonArray messages) {
    if (!"json_object".equals(options.formatType())) {
      return;
    }
    for (int i = 0; i < messages.size(); i++) {
      if (text(messages.getJsonObject(i)).toLowerCase(Locale.ROOT).contains("json")) {
        return;
      }
    }
    throw ApiException.badRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of "
        + "type 'json_object'.", "messages");
  }

  private static void checkSizes(JsonArray messages, HttpLimits limits) {
    if (messages.size() > limits.maxMessages()) {
      throw ApiException.badRequest("Invalid 'messages': array too long. Expected at most " + limits.maxMessages()
          + " messages, got " + messages.size() + ".", "messages", "array_above_max_length");
    }
    for (int i = 0; i < messages.size(); i++) {
      checkLength(textLength(messages.getJsonObject(i)), limits.maxMessageChars(), "messages[" + i + "].content");
    }
  }

  /** A 400 naming {@code param} when {@code text} is longer than {@code max} characters. */
  public static void checkLength(String text, int max, String param) {
    checkLength(text.length(), max, param);
  }

  private static void checkLength(long length, int max, String param) {
    if (length > max) {
      throw ApiException.badRequest("Invalid '" + param + "': string too long. Expected at most " + max
          + " characters, got " + length + ".", param, "string_above_max_length");
    }
  }

  /** The length {@link #text} would have, without building it. */
  private static long textLength(JsonObject message) {
    Object content = message.getValue("content");
    if (content instanceof String s) {
      return s.length();
    }
    long length = 0;
    if (content instanceof JsonArray parts) {
      for (Object part : parts) {
        if (part instanceof JsonObject p && "text".equals(p.getValue("type")) && p.getValue("text") instanceof String t) {
          length += (length > 0 ? 1 : 0) + t.length();
        }
      }
    }
    return length;
  }

  public JsonObject toBus() {
    JsonObject bus = new JsonObject().put("id", id).put("model", model).put("messages", messages)
        .put("max_tokens", maxTokens);
    if (n != 1) {
      bus.put("n", n);
    }
    return options.into(bus);
  }

  public ChatRequest withModel(String newModel) {
    return new ChatRequest(id, newModel, messages, maxTokens, stream, includeUsage, conversationId, options, n);
  }

  public ChatRequest withMessages(JsonArray newMessages) {
    return new ChatRequest(id, model, newMessages, maxTokens, stream, includeUsage, conversationId, options, n);
  }

  public ChatRequest withId(String newId) {
    return new ChatRequest(newId, model, messages, maxTokens, stream, includeUsage, conversationId, options, n);
  }

  /** The text of a message: its string content, or its text parts joined with newlines. */
  public static String text(JsonObject message) {
    Object content = message.getValue("content");
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof JsonObject p && "text".equals(p.getValue("type")) && p.getValue("text") instanceof String t) {
          if (!text.isEmpty()) {
            text.append('\n');
          }
          text.append(t);
        }
      }
      return text.toString();
    }
    return "";
  }

  /** The text of the last message with role {@code user}, or an empty string. */
  public static String lastUserText(JsonArray messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.getValue(i) instanceof JsonObject message && "user".equals(message.getValue("role"))) {
        return text(message);
      }
    }
    return "";
  }

  private static String requireModel(JsonObject body) {
    Object model = body.getValue("model");
    if (model == null) {
      throw ApiException.badRequest("You must provide a model parameter.", "model", "missing_required_parameter");
    }
    if (!(model instanceof String name)) {
      throw ApiException.badRequest("Invalid type for 'model': expected a string.", "model", "invalid_type");
    }
    if (name.isBlank()) {
      throw ApiException.badRequest("The 'model' parameter must not be empty.", "model");
    }
    return name;
  }

  private static JsonArray requireMessages(Object value) {
    if (value == null) {
      throw ApiException.badRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
    }
    if (!(value instanceof JsonArray messages)) {
      throw ApiException.badRequest("Invalid type for 'messages': expected an array.", "messages", "invalid_type");
    }
    if (messages.isEmpty()) {
      throw ApiException.badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.",
          "messages", "empty_array");
    }
    for (int i = 0; i < messages.size(); i++) {
      checkMessage(messages.getValue(i), "messages[" + i + "]");
    }
    return messages;
  }

  /** Checks one chat message (a known role, a string or parts content), or throws a 400 naming {@code param}. */
  public static void checkMessage(Object value, String param) {
    if (!(value instanceof JsonObject message)) {
      throw ApiException.badRequest("Invalid type for '" + param + "': expected an object.", param, "invalid_type");
    }
    Object role = message.getValue("role");
    if (role == null) {
      throw ApiException.badRequest("Missing required parameter: '" + param + ".role'.", param + ".role",
          "missing_required_parameter");
    }
    if (!(role instanceof String r) || !ROLES.contains(r)) {
      throw ApiException.badRequest("Invalid value for '" + param + ".role': expected one of " + ROLES + ".",
          param + ".role", "invalid_value");
    }
    if ("assistant".equals(r)) {
      ToolMessages.checkCalls(message, param);
    } else if ("tool".equals(r)) {
      ToolMessages.checkToolMessage(message, param);
    }
    Object content = message.getValue("content");
    if (content == null) {
      if (!message.containsKey("content") && !"assistant".equals(r)) {
        throw ApiException.badRequest("Missing required parameter: '" + param + ".content'.", param + ".content",
            "missing_required_parameter");
      }
      if (!"assistant".equals(r)) {
        throw ApiException.badRequest("Invalid value for '" + param + ".content': expected a string or an array.",
            param + ".content", "invalid_type");
      }
      return;
    }
    if (content instanceof String) {
      return;
    }
    if (!(content instanceof JsonArray parts)) {
      throw ApiException.badRequest("Invalid type for '" + param + ".content': expected a string or an array.",
          param + ".content", "invalid_type");
    }
    for (int j = 0; j < parts.size(); j++) {
      String partParam = param + ".content[" + j + "]";
      if (!(parts.getValue(j) instanceof JsonObject part) || !(part.getValue("type") instanceof String type)) {
        throw ApiException.badRequest("Invalid '" + partParam + "': expected an object with a 'type'.", partParam,
            "invalid_type");
      }
      if ("text".equals(type) && !(part.getValue("text") instanceof String)) {
        throw ApiException.badRequest("Invalid '" + partParam + ".text': expected a string.", partParam + ".text",
            "invalid_type");
      }
    }
  }

  private static Integer maxTokens(JsonObject body, int limit) {
    Integer fromNew = optionalPositiveInt(body, "max_completion_tokens", limit);
    Integer fromOld = optionalPositiveInt(body, "max_tokens", limit);
    return fromNew != null ? fromNew : fromOld;
  }

  private static Integer optionalPositiveInt(JsonObject body, String key, int limit) {
    Object value = body.getValue(key);
    if (value == null) {
      return null;
    }
    if (!isInteger(value)) {
      throw ApiException.badRequest("Invalid type for '" + key + "': expected an integer.", key, "invalid_type");
    }
    long n = ((Number) value).longValue();
    if (n < 1 || n > limit) {
      throw ApiException.badRequest("Invalid '" + key + "': must be between 1 and " + limit + ", got " + value + ".",
          key, "invalid_value");
    }
    return (int) n;
  }

  private static boolean isInteger(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger;
  }

  private static boolean optionalBoolean(JsonObject body, String key, boolean fallback) {
    return optionalBoolean(body, key, fallback, key);
  }

  private static boolean optionalBoolean(JsonObject body, String key, boolean fallback, String param) {
    Object value = body.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw ApiException.badRequest("Invalid type for '" + param + "': expected a boolean.", param, "invalid_type");
    }
    return b;
  }

  private static void checkNumber(JsonObject body, String key, double min, double max) {
    Object value = body.getValue(key);
    if (value == null) {
      return;
    }
    if (!(value instanceof Number n)) {
      throw ApiException.badRequest("Invalid type for '" + key + "': expected a number.", key, "invalid_type");
    }
    double d = n.doubleValue();
    if (!(d >= min && d <= max)) {
      throw ApiException.badRequest("Invalid '" + key + "': must be between " + min + " and " + max + ".", key,
          "invalid_value");
    }
  }
}
