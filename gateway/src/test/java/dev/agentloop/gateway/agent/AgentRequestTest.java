package dev.agentloop.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.common.ApiException;
import dev.agentloop.gateway.ChatBodies;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import dev.agentloop.common.openai.HttpLimits;
import org.junit.jupiter.api.Test;

class AgentRequestTest {

  private static final ChatBodies BODIES = new ChatBodies(new HttpLimits(1 << 20, 8192, 1024, 262_144, 64, 1000,
      120_000, 30_000, 3_000, 30_000));

  @Test
  @DisplayName("without explicit tools the plan is the clock, one calculator per expression and a lookup")
  void derives_a_plan_from_the_input() {
    AgentRequest request = AgentRequest.from(new JsonObject().put("model", "mock-fast")
        .put("input", "Add 2 + 3 and (4-1)*2.5 for the museum"), BODIES);
    assertThat(request.toolCalls()).extracting(AgentRequest.ToolCall::name)
        .containsExactly("clock", "calculator", "calculator", "lookup");
    assertThat(request.toolCalls().get(1).arguments().getString("expression")).isEqualTo("2 + 3");
    assertThat(request.toolCalls().get(2).arguments().getString("expression")).isEqualTo("(4-1)*2.5");
    assertThat(request.toolCalls().get(3).arguments().getString("query")).isEqualTo("museum");
    AgentRequest again = AgentRequest.from(request.toJson(), BODIES);
    assertThat(again.toolCalls()).isEqualTo(request.toolCalls());
  }

  @Test
  @DisplayName("the calculator honours precedence and parentheses and refuses what it cannot read")
  void calculator() {
    assertThat(MockTools.Calculator.evaluate("2+3*4")).isEqualTo(14.0);
    assertThat(MockTools.Calculator.evaluate("(2+3)*4")).isEqualTo(20.0);
    assertThat(MockTools.Calculator.evaluate("-1.5 * -2")).isEqualTo(3.0);
    assertThat(MockTools.Calculator.evaluate("10/4-1")).isEqualTo(1.5);
    assertThatThrownBy(() -> MockTools.Calculator.evaluate("2+")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> MockTools.Calculator.evaluate("(1")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> MockTools.Calculator.evaluate("2^3")).isInstanceOf(ApiException.class);
  }
}
