package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.agentloop.testkit.Http;
import dev.agentloop.it.support.TestApp;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Clients nobody here wrote, embedding against both fronts: the official OpenAI Java SDK and LangChain4j. */
class EmbeddingClientsTest {

  @AutoClose
  private static final TestApp app = TestApp.start();

  static Stream<String> fronts() {
    return TestApp.fronts();
  }

  private static String base(String front) {
    return app.url(front);
  }

  private static OpenAIClient sdk(String front) {
    return OpenAIOkHttpClient.builder().baseUrl(base(front) + "/v1").apiKey("sk-test").maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  /** The vectors as the raw HTTP float form gives them. */
  private static List<float[]> raw(String front, JsonObject request) {
    JsonObject body = Http.json(Http.post(base(front) + "/v1/embeddings", request.put("encoding_format", "float")));
    return body.getJsonArray("data").stream().map(item -> EmbeddingsTest.floats((JsonObject) item)).toList();
  }

  private static float[] array(List<Float> list) {
    float[] v = new float[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i);
    }
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("the OpenAI SDK embeds with float, with base64 (which it decodes) and by default, all equal to the raw floats")
  void openai_sdk_both_encodings(String front) {
    List<String> texts = List.of("embedding through the official sdk", "a second input");
    List<float[]> expected = raw(front, new JsonObject().put("model", "mock-embed")
        .put("input", new JsonArray(texts)));
    for (EmbeddingCreateParams.EncodingFormat format : new EmbeddingCreateParams.EncodingFormat[] {
        EmbeddingCreateParams.EncodingFormat.FLOAT, EmbeddingCreateParams.EncodingFormat.BASE64, null}) {
      EmbeddingCreateParams.Builder params = EmbeddingCreateParams.builder().model("mock-embed")
          .inputOfArrayOfStrings(texts);
      if (format != null) {
        params.encodingFormat(format);
      }
      CreateEmbeddingResponse response = sdk(front).embeddings().create(params.build());
      assertThat(response.model()).isEqualTo("mock-embed");
      assertThat(response.usage().promptTokens()).isEqualTo(8);
      assertThat(response.usage().totalTokens()).isEqualTo(8);
      assertThat(response.data()).hasSize(2);
      for (int i = 0; i < 2; i++) {
        assertThat(response.data().get(i).index()).isEqualTo(i);
        assertThat(array(response.data().get(i).embedding())).as("%s, input %d", format, i)
            .isEqualTo(expected.get(i));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("the OpenAI SDK sends token ids and dimensions, and reads the errors as its typed exceptions")
  void openai_sdk_tokens_dimensions_errors(String front) {
    OpenAIClient client = sdk(front);
    CreateEmbeddingResponse tokens = client.embeddings().create(EmbeddingCreateParams.builder().model("mock-embed")
        .inputOfArrayOfTokenArrays(List.of(List.of(15339L, 1917L), List.of(42L))).dimensions(64).build());
    assertThat(tokens.data()).hasSize(2);
    assertThat(tokens.data().get(0).embedding()).hasSize(64);
    assertThat(tokens.usage().promptTokens()).isEqualTo(3);
    assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().model("nope-embed")
        .input("x").build())).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().model("mock-embed")
        .input("x").dimensions(5000).build())).isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.param()).hasValue("dimensions"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fronts")
  @DisplayName("LangChain4j's OpenAiEmbeddingModel embeds texts; related ones are closer, and the vectors equal the raw ones")
  void langchain4j(String front) {
    OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(base(front) + "/v1").apiKey("sk-test")
        .modelName("mock-embed").timeout(Duration.ofSeconds(20)).maxRetries(0).build();
    List<TextSegment> segments = List.of(TextSegment.from("The cat sleeps on the warm windowsill"),
        TextSegment.from("A cat sleeping on a windowsill"), TextSegment.from("Interest rates and bond yields"));
    Response<List<Embedding>> response = model.embedAll(segments);
    List<Embedding> vectors = response.content();
    assertThat(vectors).hasSize(3);
    assertThat(vectors.get(0).dimension()).isEqualTo(1536);
    assertThat(EmbeddingsTest.cosine(vectors.get(0).vector(), vectors.get(1).vector()))
        .isGreaterThan(EmbeddingsTest.cosine(vectors.get(0).vector(), vectors.get(2).vector()));
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(18);
    List<float[]> expected = raw(front, new JsonObject().put("model", "mock-embed").put("input",
        new JsonArray(segments.stream().map(TextSegment::text).toList())));
    for (int i = 0; i < 3; i++) {
      assertThat(vectors.get(i).vector()).isEqualTo(expected.get(i));
    }
    Embedding single = model.embed("A cat sleeping on a windowsill").content();
    assertThat(single.vector()).isEqualTo(vectors.get(1).vector());
    OpenAiEmbeddingModel shortened = OpenAiEmbeddingModel.builder().baseUrl(base(front) + "/v1").apiKey("sk-test")
        .modelName("mock-embed").dimensions(128).maxRetries(0).build();
    assertThat(shortened.embed("short vectors").content().dimension()).isEqualTo(128);
  }
}
