package dev.agentloop.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.stream.Delta;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MockAnswerTest {

  private static final ModelSpec FAST = new ModelSpec("mock-fast", 0, 0, 16, 0, false);

  private static List<Delta> all(Plan plan) {
    List<Delta> out = new ArrayList<>();
    while (plan.hasNext()) {
      out.add(plan.next());
    }
    return out;
  }

  @Test
  @DisplayName("128 tools named at once, each with a large schema: the answer stops at the entry bound with length")
  void many_large_tool_calls_are_bounded() {
    JsonObject big = new JsonObject().put("type", "object").put("properties", new JsonObject().put("items",
        new JsonObject().put("type", "array").put("minItems", 2000).put("items",
            new JsonObject().put("type", "string").put("minLength", 20).put("maxLength", 20))))
        .put("required", new JsonArray().add("items"));
    JsonArray tools = new JsonArray();
    StringBuilder said = new StringBuilder("call");
    for (int i = 0; i < 128; i++) {
      tools.add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "tool_" + i)
          .put("parameters", big)));
      said.append(" tool_").append(i);
    }
    JsonObject body = new JsonObject().put("model", "mock-fast").put("tools", tools)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", said.toString())));
    Plan plan = MockAnswer.of(FAST, ChatRequest.fromBus(body, 100_000));
    List<Delta> deltas = all(plan);
    assertThat(deltas).hasSizeLessThanOrEqualTo(MockAnswer.MAX_ENTRIES);
    assertThat(deltas.size()).isEqualTo(plan.total());
    assertThat(plan.finishReason()).isEqualTo("length");
    assertThat(deltas.stream().filter(d -> d instanceof Delta.ToolCallStart).count()).isBetween(2L, 127L);
  }

  @Test
  @DisplayName("the same request gives the same arguments; another seed or choice gives others")
  void deterministic_arguments() {
    JsonObject schema = new JsonObject().put("type", "object").put("properties", new JsonObject()
        .put("count", new JsonObject().put("type", "integer").put("minimum", 0).put("maximum", 1_000_000))
        .put("label", new JsonObject().put("type", "string")))
        .put("required", new JsonArray().add("count").add("label"));
    JsonObject body = new JsonObject().put("model", "mock-fast")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "t").put("parameters", schema))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "go")));
    String once = arguments(body);
    assertThat(arguments(body)).isEqualTo(once);
    assertThat(arguments(body.copy().put("seed", 5))).isNotEqualTo(once);
    List<Delta> two = all(MockAnswer.of(FAST, ChatRequest.fromBus(body.copy().put("n", 2), 100_000)));
    StringBuilder first = new StringBuilder();
    StringBuilder second = new StringBuilder();
    two.stream().filter(d -> d instanceof Delta.ToolArguments).map(Delta.ToolArguments.class::cast)
        .forEach(a -> (a.choice() == 0 ? first : second).append(a.fragment()));
    assertThat(first.toString()).isEqualTo(once);
    assertThat(second.toString()).isNotEqualTo(once).isNotEmpty();
  }

  private static String arguments(JsonObject body) {
    StringBuilder text = new StringBuilder();
    all(MockAnswer.of(FAST, ChatRequest.fromBus(body, 100_000))).stream()
        .filter(d -> d instanceof Delta.ToolArguments).forEach(d -> text.append(((Delta.ToolArguments) d).fragment()));
    return text.toString();
  }
}
