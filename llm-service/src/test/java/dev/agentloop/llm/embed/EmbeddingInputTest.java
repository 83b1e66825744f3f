package dev.agentloop.llm.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EmbeddingInputTest {

  private static List<EmbeddingInput> parse(String requestJson) {
    return EmbeddingInput.parse(new JsonObject(requestJson).getValue("input"), 2048, 100, 50);
  }

  @Test
  @DisplayName("the four shapes of input: a string, strings, token ids, lists of token ids")
  void shapes() {
    assertThat(parse("{\"input\":\"hello\"}")).containsExactly(new EmbeddingInput.Text("hello"));
    assertThat(parse("{\"input\":[\"a\",\"b\"]}")).containsExactly(new EmbeddingInput.Text("a"), new EmbeddingInput.Text("b"));
    List<EmbeddingInput> ids = parse("{\"input\":[1,2,3]}");
    assertThat(ids).hasSize(1);
    assertThat(((EmbeddingInput.Tokens) ids.get(0)).ids()).containsExactly(1, 2, 3);
    List<EmbeddingInput> nested = parse("{\"input\":[[1],[2,3]]}");
    assertThat(nested).hasSize(2);
    assertThat(((EmbeddingInput.Tokens) nested.get(1)).ids()).containsExactly(2, 3);
    HashingEmbedder embedder = new HashingEmbedder(32, 100, 50);
    assertThat(nested.get(1).embed(embedder)).isEqualTo(embedder.embed(new int[] {2, 3}));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{} | input",
      "{\"input\":42} | input",
      "{\"input\":[]} | input",
      "{\"input\":\"\"} | input",
      "{\"input\":[\"a\",\"\"]} | input[1]",
      "{\"input\":[\"a\",3]} | input[1]",
      "{\"input\":[[1],\"b\"]} | input[1]",
      "{\"input\":[[1],[]]} | input[1]",
      "{\"input\":[1,-2]} | input[1]",
      "{\"input\":[1,2.5]} | input[1]",
      "{\"input\":[[1,99999999999]]} | input[0][1]",
      "{\"input\":[{\"text\":\"a\"}]} | input[0]",
  })
  void bad_inputs_are_400s_naming_the_param(String request, String param) {
    ApiException error = catchThrowableOfType(ApiException.class, () -> parse(request));
    assertThat(error).isNotNull();
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.param()).isEqualTo(param);
  }

  @Test
  @DisplayName("more inputs, or longer ones, than the limits are 400s")
  void limits() {
    JsonArray many = new JsonArray();
    for (int i = 0; i < 2049; i++) {
      many.add("x");
    }
    ApiException tooMany = catchThrowableOfType(ApiException.class, () -> EmbeddingInput.parse(many, 2048, 100, 50));
    assertThat(tooMany.getMessage()).isEqualTo("Invalid 'input': array too long. Expected an array with maximum length "
        + "2048, but got an array with length 2049 instead.");
    assertThat(catchThrowableOfType(ApiException.class, () -> parse("{\"input\":\"" + "y".repeat(101) + "\"}")).param())
        .isEqualTo("input");
    JsonArray longIds = new JsonArray();
    for (int i = 0; i < 51; i++) {
      longIds.add(i);
    }
    assertThat(catchThrowableOfType(ApiException.class, () -> EmbeddingInput.parse(longIds, 2048, 100, 50)).status())
        .isEqualTo(400);
  }
}
