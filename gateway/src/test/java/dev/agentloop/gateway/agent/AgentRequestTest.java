package dev.agentloop.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import dev.agentloop.front.ChatBodies;
import dev.agentloop.contract.config.HttpLimits;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
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
    int depth = MockTools.Calculator.MAX_DEPTH;
    assertThat(MockTools.Calculator.evaluate("(".repeat(depth) + "2" + ")".repeat(depth))).isEqualTo(2.0);
    assertThat(MockTools.Calculator.evaluate("-".repeat(depth) + "2")).isEqualTo(2.0);
    assertThatThrownBy(() -> MockTools.Calculator.evaluate("(".repeat(200_000) + "2" + ")".repeat(200_000)))
        .isInstanceOf(ApiException.class).hasMessageContaining("nested");
    assertThatThrownBy(() -> MockTools.Calculator.evaluate("-".repeat(200_000) + "2")).isInstanceOf(ApiException.class);
  }

  /** The backtracking pattern the scanner replaces, as the reference for what it must find. */
  private static final Pattern EXPRESSION = Pattern.compile("[-(]*\\d[\\d.]*(?:\\s*[-+*/]\\s*[(]*\\d[\\d.]*[)]*)+");

  private static List<String> byPattern(String text) {
    List<String> found = new ArrayList<>();
    Matcher m = EXPRESSION.matcher(text);
    while (m.find()) {
      found.add(m.group().trim());
    }
    return found;
  }

  private static String longestByPattern(String text) {
    String longest = "";
    for (String word : text.split("[^\\p{L}]+")) {
      if (word.length() > longest.length()) {
        longest = word;
      }
    }
    return longest;
  }

  @Test
  @DisplayName("the linear scanner finds exactly what the backtracking pattern found, on 50,000 random texts")
  void scanner_matches_the_pattern() {
    String alphabet = "0123456789..--++**//(())   \t\nab\u00e9\u4e2d";
    SplittableRandom random = new SplittableRandom(11);
    for (int t = 0; t < 50_000; t++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        text.append(random.nextInt(12) == 0 ? "\uD83D\uDE00" : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
      }
      String s = text.toString();
      assertThat(PlanText.expressions(s, Integer.MAX_VALUE)).as(s).isEqualTo(byPattern(s));
      assertThat(PlanText.longestWord(s)).as(s).isEqualTo(longestByPattern(s));
    }
  }

  @Test
  @DisplayName("the scanner stops at its maximum, and long runs of digits, operators or spaces hold nothing")
  void scanner_bounds() {
    assertThat(PlanText.expressions("1+1 ".repeat(100), 14)).hasSize(14).allMatch("1+1"::equals);
    assertThat(PlanText.expressions("1".repeat(1_000_000), 14)).isEmpty();
    assertThat(PlanText.expressions("1" + " ".repeat(100_000) + "-".repeat(100_000) + "(".repeat(100_000), 14)).isEmpty();
    assertThat(PlanText.expressions("7" + "+7".repeat(100_000), 14)).singleElement()
        .satisfies(e -> assertThat(e).hasSize(200_001));
    assertThat(PlanText.longestWord("a".repeat(100_000) + "1" + "b".repeat(100_001))).hasSize(100_001);
  }

  @Test
  @DisplayName("an input longer than a message may be is a 400 naming 'input'")
  void input_has_the_message_limit() {
    ChatBodies small = new ChatBodies(new HttpLimits(1 << 20, 8192, 1024, 10, 64, 1000, 120_000, 30_000, 3_000, 30_000));
    assertThatThrownBy(() -> AgentRequest.from(new JsonObject().put("model", "m").put("input", "x".repeat(11)), small))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.param()).isEqualTo("input");
          assertThat(e.code()).isEqualTo("string_above_max_length");
        });
    assertThat(AgentRequest.from(new JsonObject().put("model", "m").put("input", "x".repeat(10)), small).messages())
        .hasSize(1);
  }
}
