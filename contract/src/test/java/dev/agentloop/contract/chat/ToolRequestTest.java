package dev.agentloop.contract.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.HttpLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tool, structured-output and sampling fields: OpenAI's 400s naming the field, and the bus carrying them intact. */
class ToolRequestTest {

  private static final HttpLimits LIMITS = new HttpLimits(1 << 20, 8192, 1000, 100_000, 32, 1000, 0, 0, 0, 0);

  private static JsonObject user(String text) {
    return new JsonObject().put("role", "user").put("content", text);
  }

  private static JsonObject tool(String name) {
    return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)
        .put("parameters", new JsonObject().put("type", "object")));
  }

  private static JsonObject body() {
    return new JsonObject().put("model", "mock-fast").put("messages", new JsonArray().add(user("weather in Paris?")));
  }

  private static ApiException refused(JsonObject body) {
    return catchThrowableOfType(ApiException.class, () -> ChatRequest.fromHttp(body, "id", LIMITS));
  }

  private static void assertRefused(JsonObject body, String param, String code) {
    ApiException error = refused(body);
    assertThat(error).as("%s", body).isNotNull();
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.param()).isEqualTo(param);
    assertThat(error.code()).isEqualTo(code);
  }

  @Test
  @DisplayName("every field is read, and the bus carries it to the llm-service unchanged")
  void fields_round_trip_over_the_bus() {
    JsonObject body = body().put("tools", new JsonArray().add(tool("get_weather")).add(tool("get-time_2")))
        .put("tool_choice", new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get-time_2")))
        .put("parallel_tool_calls", false).put("stop", new JsonArray().add("END").add("\n\n")).put("seed", 42)
        .put("n", 3).put("temperature", 0.2).put("top_p", 0.9)
        .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
            new JsonObject().put("name", "answer").put("schema", new JsonObject().put("type", "object")).put("strict", true)));
    ChatRequest request = ChatRequest.fromHttp(body, "id", LIMITS);
    ChatOptions options = request.options();
    assertThat(options.toolChoice()).isEqualTo("function");
    assertThat(options.toolName()).isEqualTo("get-time_2");
    assertThat(options.parallelToolCalls()).isFalse();
    assertThat(options.stop()).containsExactly("END", "\n\n");
    assertThat(options.seed()).isEqualTo(42L);
    assertThat(options.formatType()).isEqualTo("json_schema");
    assertThat(request.n()).isEqualTo(3);
    ChatRequest onTheBus = ChatRequest.fromBus(new JsonObject(request.toBus().encode()), 1000);
    assertThat(onTheBus.options()).isEqualTo(options);
    assertThat(onTheBus.n()).isEqualTo(3);
  }

  @Test
  @DisplayName("defaults: no tools is tool_choice none, tools alone are auto and parallel; a plain request adds nothing to the bus")
  void defaults() {
    ChatRequest plain = ChatRequest.fromHttp(body(), "id", LIMITS);
    assertThat(plain.options()).isEqualTo(ChatOptions.NONE);
    assertThat(plain.toBus().fieldNames()).containsExactlyInAnyOrder("id", "model", "messages", "max_tokens");
    ChatOptions withTools = ChatRequest.fromHttp(body().put("tools", new JsonArray().add(tool("a"))), "id", LIMITS).options();
    assertThat(withTools.toolChoice()).isEqualTo("auto");
    assertThat(withTools.parallelToolCalls()).isTrue();
    assertThat(withTools.toolsOffered()).isTrue();
    assertThat(ChatRequest.fromHttp(body().put("tools", new JsonArray().add(tool("a"))).put("tool_choice", "none"),
        "id", LIMITS).options().toolsOffered()).isFalse();
    assertThat(ChatRequest.fromHttp(body().put("stop", "x"), "id", LIMITS).options().stop()).isEqualTo(List.of("x"));
    assertThat(ChatRequest.fromHttp(body().put("response_format", new JsonObject().put("type", "text")), "id", LIMITS)
        .options().formatType()).isEqualTo("text");
  }

  @Test
  @DisplayName("tools: type, name pattern and length, duplicates, parameters, strict; each a 400 naming its field")
  void tools_refused() {
    assertRefused(body().put("tools", "get_weather"), "tools", "invalid_type");
    assertRefused(body().put("tools", new JsonArray().add(new JsonObject())), "tools[0].type", "missing_required_parameter");
    assertRefused(body().put("tools", new JsonArray().add(tool("a").put("type", "retrieval"))), "tools[0].type",
        "invalid_value");
    assertRefused(body().put("tools", new JsonArray().add(new JsonObject().put("type", "function"))),
        "tools[0].function", "missing_required_parameter");
    assertRefused(body().put("tools", new JsonArray().add(tool("a")).add(tool("get weather"))),
        "tools[1].function.name", "invalid_value");
    assertRefused(body().put("tools", new JsonArray().add(tool(""))), "tools[0].function.name", "invalid_value");
    assertRefused(body().put("tools", new JsonArray().add(tool("x".repeat(65)))), "tools[0].function.name",
        "string_above_max_length");
    assertThat(ChatRequest.fromHttp(body().put("tools", new JsonArray().add(tool("x".repeat(64)))), "id", LIMITS)
        .options().toolName(0)).hasSize(64);
    assertRefused(body().put("tools", new JsonArray().add(tool("a")).add(tool("a"))), "tools", "invalid_value");
    JsonObject badParameters = tool("a");
    badParameters.getJsonObject("function").put("parameters", "object");
    assertRefused(body().put("tools", new JsonArray().add(badParameters)), "tools[0].function.parameters", "invalid_type");
    JsonObject badStrict = tool("a");
    badStrict.getJsonObject("function").put("strict", "yes");
    assertRefused(body().put("tools", new JsonArray().add(badStrict)), "tools[0].function.strict", "invalid_type");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 129; i++) {
      many.add(tool("t" + i));
    }
    assertRefused(body().put("tools", many), "tools", "array_above_max_length");
  }

  @Test
  @DisplayName("tool_choice: the three modes, a named function among the tools, nothing but none without tools")
  void tool_choice_refused() {
    JsonArray tools = new JsonArray().add(tool("get_weather"));
    assertRefused(body().put("tools", tools).put("tool_choice", "any"), "tool_choice", "invalid_value");
    assertRefused(body().put("tool_choice", "required"), "tool_choice", "invalid_value");
    assertRefused(body().put("tools", tools).put("tool_choice", 3), "tool_choice", "invalid_type");
    assertRefused(body().put("tools", tools).put("tool_choice", new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "other"))), "tool_choice", "invalid_value");
    assertRefused(body().put("tools", tools).put("tool_choice", new JsonObject().put("type", "function")),
        "tool_choice.function", "missing_required_parameter");
    assertRefused(body().put("tools", tools).put("parallel_tool_calls", "no"), "parallel_tool_calls", "invalid_type");
    assertThat(ChatRequest.fromHttp(body().put("tools", tools).put("tool_choice", "required"), "id", LIMITS)
        .options().toolChoice()).isEqualTo("required");
  }

  @Test
  @DisplayName("response_format: the three types, json_schema's name and schema, json_object needing the word JSON")
  void response_format_refused() {
    assertRefused(body().put("response_format", "json"), "response_format", "invalid_type");
    assertRefused(body().put("response_format", new JsonObject().put("type", "yaml")), "response_format.type",
        "invalid_value");
    assertRefused(body().put("response_format", new JsonObject().put("type", "json_schema")),
        "response_format.json_schema", "missing_required_parameter");
    assertRefused(body().put("response_format", new JsonObject().put("type", "json_schema")
        .put("json_schema", new JsonObject().put("schema", new JsonObject()))), "response_format.json_schema.name",
        "missing_required_parameter");
    assertRefused(body().put("response_format", new JsonObject().put("type", "json_schema")
        .put("json_schema", new JsonObject().put("name", "a").put("schema", "object"))),
        "response_format.json_schema.schema", "invalid_type");
    ApiException noJsonWord = refused(body().put("response_format", new JsonObject().put("type", "json_object")));
    assertThat(noJsonWord.param()).isEqualTo("messages");
    assertThat(noJsonWord.getMessage()).contains("must contain the word 'json'");
    JsonObject mentionsJson = body().put("messages", new JsonArray().add(user("Answer in JSON.")))
        .put("response_format", new JsonObject().put("type", "json_object"));
    assertThat(ChatRequest.fromHttp(mentionsJson, "id", LIMITS).options().formatType()).isEqualTo("json_object");
  }

  @Test
  @DisplayName("stop up to 4 strings, seed an integer, n from 1 to 8, temperature and top_p in range")
  void sampling_fields_refused() {
    assertRefused(body().put("stop", new JsonArray().add("a").add("b").add("c").add("d").add("e")), "stop",
        "array_above_max_length");
    assertRefused(body().put("stop", 5), "stop", "invalid_type");
    assertRefused(body().put("stop", new JsonArray().add(5)), "stop[0]", "invalid_type");
    assertRefused(body().put("seed", "7"), "seed", "invalid_type");
    assertRefused(body().put("seed", 1.5), "seed", "invalid_type");
    assertRefused(body().put("n", 0), "n", "invalid_value");
    assertRefused(body().put("n", 9), "n", "invalid_value");
    assertRefused(body().put("n", "2"), "n", "invalid_type");
    assertRefused(body().put("temperature", 3), "temperature", "invalid_value");
    assertRefused(body().put("top_p", -0.1), "top_p", "invalid_value");
    assertThat(ChatRequest.fromHttp(body().put("n", 8).put("temperature", 0).put("top_p", 1), "id", LIMITS).n())
        .isEqualTo(8);
  }

  @Test
  @DisplayName("a tool round: assistant tool_calls with content null, tool messages answering them by id")
  void tool_round_messages() {
    JsonObject call = new JsonObject().put("id", "call_1").put("type", "function")
        .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}"));
    JsonObject assistant = new JsonObject().put("role", "assistant").putNull("content")
        .put("tool_calls", new JsonArray().add(call));
    JsonObject answer = new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "18C");
    JsonObject round = body().put("messages", new JsonArray().add(user("weather?")).add(assistant).add(answer));
    assertThat(ChatRequest.fromHttp(round, "id", LIMITS).messages()).hasSize(3);

    JsonObject orphan = body().put("messages", new JsonArray().add(user("weather?")).add(answer));
    ApiException error = refused(orphan);
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.param()).isEqualTo("messages.[1].role");
    assertThat(error.getMessage()).contains("must be a response to a preceeding message with 'tool_calls'");
    assertThat(catchThrowableOfType(ApiException.class, () -> ChatRequest.fromBus(orphan, 1000)).param())
        .isEqualTo("messages.[1].role");
    JsonObject wrongId = answer.copy().put("tool_call_id", "call_2");
    assertThat(refused(body().put("messages", new JsonArray().add(user("w")).add(assistant).add(wrongId))).param())
        .isEqualTo("messages.[2].role");
    ApiException unanswered = refused(body().put("messages", new JsonArray().add(user("w")).add(assistant).add(user("?"))));
    assertThat(unanswered.param()).isEqualTo("messages.[1].role");
    assertThat(unanswered.getMessage()).contains("did not have response messages: call_1");
    // in a conversation the call may be in the stored history: the llm-service checks the whole list
    assertThat(ChatRequest.fromHttp(orphan.copy().put("conversation_id", "conv_1"), "id", LIMITS).messages()).hasSize(2);

    assertRefused(body().put("messages", new JsonArray().add(user("w")).add(new JsonObject().put("role", "tool")
        .put("content", "x"))), "messages[1].tool_call_id", "missing_required_parameter");
    assertRefused(body().put("messages", new JsonArray().add(user("w")).add(assistant.copy()
        .put("tool_calls", new JsonArray().add(call.copy().put("type", "code"))))), "messages[1].tool_calls[0].type",
        "invalid_value");
    JsonObject noArguments = call.copy().put("function", new JsonObject().put("name", "get_weather"));
    assertRefused(body().put("messages", new JsonArray().add(user("w")).add(assistant.copy()
        .put("tool_calls", new JsonArray().add(noArguments)))), "messages[1].tool_calls[0].function.arguments",
        "missing_required_parameter");
    assertRefused(body().put("messages", new JsonArray().add(user("w")).add(assistant.copy()
        .put("tool_calls", new JsonArray()))), "messages[1].tool_calls", "empty_array");
  }
}
