package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.agentloop.it.support.TestApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The official OpenAI Java SDK against the gateway and against the mock's own port. */
class OpenAiSdkTest {

  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  private static OpenAIClient client(String front) {
    String base = app.url(front);
    return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey("sk-test").maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("the SDK lists the models")
  void lists_models(String front) {
    List<String> ids = client(front).models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains("mock-fast", "mock-realistic", "mock-slow", "mock-flaky", "mock-echo");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("the SDK creates a completion and reads its typed fields")
  void creates_a_completion(String front) {
    ChatCompletion completion = client(front).chat().completions().create(ChatCompletionCreateParams.builder()
        .model("mock-echo").addSystemMessage("be brief").addUserMessage("hello from the sdk").build());
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).hasValue("hello from the sdk");
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(4));
    assertThat(completion.model()).isEqualTo("mock-echo");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("the SDK consumes a stream with usage, and the text equals the plain completion's")
  void consumes_a_stream_with_usage(String front) {
    OpenAIClient client = client(front);
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock-realistic")
        .addUserMessage("stream to the sdk").maxCompletionTokens(12)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    StringBuilder text = new StringBuilder();
    List<CompletionUsage> usages = new ArrayList<>();
    List<ChatCompletionChunk.Choice.FinishReason> finishes = new ArrayList<>();
    int contentChunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunk.usage().ifPresent(usages::add);
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          if (choice.delta().content().filter(c -> !c.isEmpty()).isPresent()) {
            contentChunks++;
            text.append(choice.delta().content().get());
          }
          choice.finishReason().ifPresent(finishes::add);
        }
      }
    }
    assertThat(contentChunks).isEqualTo(12);
    assertThat(finishes).containsExactly(ChatCompletionChunk.Choice.FinishReason.LENGTH);
    assertThat(usages).singleElement().satisfies(u -> assertThat(u.completionTokens()).isEqualTo(12));
    ChatCompletion plain = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("mock-realistic").addUserMessage("stream to the sdk").maxCompletionTokens(12).build());
    assertThat(text.toString()).isEqualTo(plain.choices().get(0).message().content().orElseThrow());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("the SDK raises its typed NotFound and BadRequest exceptions")
  void typed_exceptions(String front) {
    OpenAIClient client = client(front);
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-does-not-exist").addUserMessage("hi").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.code()).hasValue("model_not_found");
        });
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("mock-fast").messages(List.of()).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.param()).hasValue("messages");
        });
  }
}
