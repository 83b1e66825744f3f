package dev.agentloop.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

/** A conversation holds a tool round: the assistant's tool calls and the tool's answer are stored and sent back. */
class ToolConversationTest {

  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static HttpResponse<String> chat(JsonObject body) {
    return Http.post(app.gatewayUrl() + "/v1/chat/completions", body);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a tool round in a conversation: the call is stored, the tool message answers it from history, "
      + "and the history gives both back")
  void conversation_holds_a_tool_round(boolean stream) {
    HttpResponse<String> created = Http.post(app.gatewayUrl() + "/v1/conversations", new JsonObject());
    assertThat(created.statusCode()).isEqualTo(201);
    String id = Http.json(created).getString("id");
    JsonArray tools = new JsonArray().add(ToolCallsTest.tool("get_weather", ToolCallsTest.WEATHER));

    HttpResponse<String> first = chat(Http.chat("mock-fast", "Weather in Madrid?").put("tools", tools)
        .put("conversation_id", id).put("stream", stream));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    JsonArray stored = Http.json(Http.get(app.gatewayUrl() + "/v1/conversations/" + id)).getJsonArray("messages");
    assertThat(stored).hasSize(2);
    JsonObject assistant = stored.getJsonObject(1);
    assertThat(assistant.getString("role")).isEqualTo("assistant");
    assertThat(assistant.getValue("content")).isNull();
    assertThat(assistant.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject call = assistant.getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(RealValidator.errors(ToolCallsTest.WEATHER, call.getJsonObject("function").getString("arguments")))
        .isEmpty();

    JsonObject result = new JsonObject().put("role", "tool").put("tool_call_id", call.getString("id"))
        .put("content", "Madrid: 31C, clear");
    HttpResponse<String> second = chat(new JsonObject().put("model", "mock-fast").put("tools", tools)
        .put("conversation_id", id).put("messages", new JsonArray().add(result)));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonObject answer = Http.json(second).getJsonArray("choices").getJsonObject(0);
    assertThat(answer.getString("finish_reason")).isEqualTo("stop");
    assertThat(answer.getJsonObject("message").getString("content")).contains("Madrid: 31C, clear");

    JsonArray history = Http.json(Http.get(app.gatewayUrl() + "/v1/conversations/" + id)).getJsonArray("messages");
    assertThat(history).hasSize(4);
    assertThat(history.getJsonObject(2).getString("role")).isEqualTo("tool");
    assertThat(history.getJsonObject(2).getString("tool_call_id")).isEqualTo(call.getString("id"));
    assertThat(history.getJsonObject(3).getString("content")).contains("Madrid: 31C, clear");

    HttpResponse<String> orphan = chat(new JsonObject().put("model", "mock-fast").put("conversation_id", id)
        .put("messages", new JsonArray().add(result.copy().put("tool_call_id", "call_unknown"))));
    assertThat(orphan.statusCode()).isEqualTo(400);
  }
}
