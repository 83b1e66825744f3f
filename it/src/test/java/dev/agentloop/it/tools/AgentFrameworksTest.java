package dev.agentloop.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import dev.agentloop.it.support.TestApp;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients nobody here wrote, run as an agent would run them against the gateway and the mock's own
 * port: the official OpenAI Java SDK (tool calls, its stream accumulator, structured output from a
 * class) and LangChain4j (an AiServices agent completing its tool loop, a structured-output record).
 */
class AgentFrameworksTest {

  @AutoClose
  private static final TestApp app = TestApp.start();

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  private static String base(String front) {
    return app.url(front) + "/v1";
  }

  private static OpenAIClient openai(String front) {
    return OpenAIOkHttpClient.builder().baseUrl(base(front)).apiKey("any-key").maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  /** A function tool whose schema the SDK derives from this class. */
  public static class GetWeather {
    @JsonPropertyDescription("The city to report on, e.g. Paris")
    public String city;
    @JsonPropertyDescription("celsius or fahrenheit")
    public String unit;
  }

  /** A structured answer whose schema the SDK derives from this class. */
  public static class TripPlan {
    public String destination;
    public int days;
    public List<String> activities;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("openai-java: a tool from a class is called with typed arguments, and the tool's result is answered")
  void openai_sdk_tool_round(String front) {
    OpenAIClient client = openai(front);
    ChatCompletionCreateParams ask = ChatCompletionCreateParams.builder().model("mock-fast")
        .addUserMessage("What is the weather in Paris?").addTool(GetWeather.class).build();
    ChatCompletion completion = client.chat().completions().create(ask);
    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessage message = choice.message();
    assertThat(message.content()).isEmpty();
    ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.function().name()).isEqualTo("GetWeather");
    GetWeather arguments = call.function().arguments(GetWeather.class);
    assertThat(arguments.city).isEqualTo("Paris");
    assertThat(arguments.unit).isNotNull();

    ChatCompletion answer = client.chat().completions().create(ask.toBuilder().addMessage(message)
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("Paris: 21C, light rain")
            .build()).build());
    assertThat(answer.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(answer.choices().get(0).message().content()).hasValueSatisfying(
        text -> assertThat(text).contains("Paris: 21C, light rain"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("openai-java: ChatCompletionAccumulator rebuilds streamed parallel tool calls equal to the plain answer's")
  void openai_sdk_accumulates_streamed_tool_calls(String front) {
    OpenAIClient client = openai(front);
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock-fast")
        .addUserMessage("Use GetWeather and TripPlan for Berlin").addTool(GetWeather.class)
        .addTool(TripPlan.class).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> chunks.add(accumulator.accumulate(chunk)));
    }
    assertThat(chunks.size()).isGreaterThan(4);
    ChatCompletion streamed = accumulator.chatCompletion();
    ChatCompletion plain = client.chat().completions().create(params);
    assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    List<ChatCompletionMessageFunctionToolCall> got = streamed.choices().get(0).message().toolCalls().orElseThrow()
        .stream().map(c -> c.asFunction()).toList();
    List<ChatCompletionMessageFunctionToolCall> want = plain.choices().get(0).message().toolCalls().orElseThrow()
        .stream().map(c -> c.asFunction()).toList();
    assertThat(got).hasSize(2);
    assertThat(got.stream().map(c -> c.function().name())).containsExactly("GetWeather", "TripPlan");
    for (int i = 0; i < 2; i++) {
      assertThat(got.get(i).function().arguments()).isEqualTo(want.get(i).function().arguments());
      assertThat(got.get(i).id()).startsWith("call_");
    }
    assertThat(got.get(0).id()).isNotEqualTo(got.get(1).id());
    assertThat(got.get(0).function().arguments(GetWeather.class).city).isEqualTo("Berlin");
    assertThat(got.get(1).function().arguments(TripPlan.class).activities).isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("openai-java: structured output from a Java class parses into that class")
  void openai_sdk_structured_output(String front) {
    StructuredChatCompletionCreateParams<TripPlan> params = ChatCompletionCreateParams.builder().model("mock-fast")
        .addUserMessage("Plan 3 days in Kyoto").responseFormat(TripPlan.class).build();
    TripPlan plan = openai(front).chat().completions().create(params).choices().get(0).message().content()
        .orElseThrow();
    assertThat(plan.destination).isNotBlank();
    assertThat(plan.activities).isNotNull();
  }

  /** The agent's tools: what the model calls, counted. */
  public static final class WeatherTools {
    final List<String> cities = new ArrayList<>();

    @Tool("Reports the current weather of a city")
    public String currentWeather(@P("the city, e.g. Paris") String city) {
      cities.add(city);
      return "WEATHER(" + city + ")=sunny";
    }
  }

  interface WeatherAgent {
    String chat(String message);
  }

  record Forecast(String city, int temperature, boolean rain) {
  }

  interface ForecastExtractor {
    Forecast extract(String text);
  }

  private static OpenAiChatModel langchain(String front) {
    return OpenAiChatModel.builder().baseUrl(base(front)).apiKey("any-key").modelName("mock-fast")
        .timeout(Duration.ofSeconds(20)).maxRetries(0)
        .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA).strictJsonSchema(true).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("LangChain4j: an AiServices agent calls its @Tool and completes the loop with the tool's result")
  void langchain4j_agent_completes_its_tool_loop(String front) {
    WeatherTools tools = new WeatherTools();
    WeatherAgent agent = AiServices.builder(WeatherAgent.class).chatModel(langchain(front)).tools(tools).build();
    String answer = agent.chat("What is the weather in Lisbon right now?");
    assertThat(tools.cities).containsExactly("Lisbon");
    assertThat(answer).contains("WEATHER(Lisbon)=sunny");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("LangChain4j: a structured-output record is filled from the JSON schema response format")
  void langchain4j_structured_output_record(String front) {
    ForecastExtractor extractor = AiServices.create(ForecastExtractor.class, langchain(front));
    Forecast forecast = extractor.extract("Tomorrow in Oslo: 4 degrees and rain");
    assertThat(forecast).isNotNull();
    assertThat(forecast.city()).isNotBlank();
  }
}
