package dev.agentloop.llm.embed;

import java.util.Random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HashingEmbedderTest {

  private static final HashingEmbedder EMBED = new HashingEmbedder(1536, 32_768, 8192);

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  @Test
  @DisplayName("vectors have the model's dimension and unit length, for texts, token ids and an empty text")
  void unit_length() {
    for (String text : new String[] {"hello", "The quick brown fox jumps over the lazy dog", "!!!", "", "é日本語"}) {
      float[] v = EMBED.embed(text);
      assertThat(v).hasSize(1536);
      assertThat(norm(v)).as(text).isCloseTo(1.0, within(1e-5));
    }
    assertThat(norm(EMBED.embed(new int[] {15339, 1917}))).isCloseTo(1.0, within(1e-5));
    assertThat(new HashingEmbedder(8, 100, 100).embed("a b c d e f g")).hasSize(8);
  }

  @Test
  @DisplayName("the same text gives the same vector from any embedder of that dimension; another text another vector")
  void deterministic() {
    float[] first = EMBED.embed("Deterministic vectors, please");
    assertThat(new HashingEmbedder(1536, 100, 100).embed("Deterministic vectors, please")).isEqualTo(first);
    assertThat(EMBED.embed("deterministic VECTORS please")).as("case and punctuation do not matter").isEqualTo(first);
    assertThat(EMBED.embed("Other words entirely")).isNotEqualTo(first);
  }

  @ParameterizedTest(name = "{0} ~ {1}, not {2}")
  @CsvSource(delimiter = '|', value = {
      "The cat sat on the mat | A cat was sitting on the mat | Quarterly revenue grew by ten percent",
      "How do I reset my password? | Password reset instructions | Best hiking trails in Colorado",
      "Paris is the capital of France | What is the capital city of France? | Java virtual threads and structured concurrency",
      "Vert.x event loops must never block | Never block the event loop in Vert.x | Chocolate cake recipe with berries",
      "invoice overdue payment reminder | reminder: your invoice payment is overdue | the orchestra played a symphony",
  })
  void texts_sharing_words_are_closer(String text, String related, String unrelated) {
    for (HashingEmbedder embedder : new HashingEmbedder[] {EMBED, new HashingEmbedder(256, 1000, 1000)}) {
      float[] a = embedder.embed(text);
      float[] b = embedder.embed(related);
      float[] c = embedder.embed(unrelated);
      assertThat(cosine(a, b)).isGreaterThan(cosine(a, c) + 0.2).isGreaterThan(cosine(b, c) + 0.2);
    }
    float[] shortA = HashingEmbedder.shorten(EMBED.embed(text), 64);
    float[] shortB = HashingEmbedder.shorten(EMBED.embed(related), 64);
    float[] shortC = HashingEmbedder.shorten(EMBED.embed(unrelated), 64);
    assertThat(cosine(shortA, shortB)).isGreaterThan(cosine(shortA, shortC));
  }

  @Test
  @DisplayName("token-id inputs sharing ids are closer than those sharing none")
  void token_ids() {
    float[] a = EMBED.embed(new int[] {101, 202, 303, 404});
    float[] b = EMBED.embed(new int[] {101, 202, 303, 999});
    float[] c = EMBED.embed(new int[] {7, 8, 9, 10});
    assertThat(cosine(a, b)).isGreaterThan(cosine(a, c) + 0.3);
    assertThat(EMBED.embed(new int[] {1, 2})).isEqualTo(EMBED.embed(new int[] {1, 2}));
  }

  @Test
  @DisplayName("dimensions keeps the first components re-normalised; out of range is a 400 on 'dimensions'")
  void shorten() {
    float[] full = EMBED.embed("shorten me to two hundred fifty six");
    float[] shorter = HashingEmbedder.shorten(full, 256);
    assertThat(shorter).hasSize(256);
    assertThat(norm(shorter)).isCloseTo(1.0, within(1e-5));
    float[] prefix = new float[256];
    System.arraycopy(full, 0, prefix, 0, 256);
    assertThat(cosine(shorter, prefix)).isCloseTo(1.0, within(1e-6));
    for (int bad : new int[] {0, -3, 1537}) {
      ApiException error = catchThrowableOfType(ApiException.class, () -> HashingEmbedder.shorten(full, bad));
      assertThat(error.status()).isEqualTo(400);
      assertThat(error.param()).isEqualTo("dimensions");
    }
  }

  @Test
  @DisplayName("inputs over the limits are 400s, not work")
  void bounded_inputs() {
    HashingEmbedder small = new HashingEmbedder(64, 10, 3);
    assertThat(catchThrowableOfType(ApiException.class, () -> small.embed("x".repeat(11))).status()).isEqualTo(400);
    assertThat(catchThrowableOfType(ApiException.class, () -> small.embed(new int[] {1, 2, 3, 4})).status())
        .isEqualTo(400);
  }

  @Test
  @DisplayName("base64 is little-endian float32, as the official SDKs decode it; the float form reads back the same floats")
  void encodings_round_trip() {
    assertThat(EmbeddingCodec.base64(new float[] {1.0f, -2.0f})).isEqualTo("AACAPwAAAMA=");
    float[] vector = EMBED.embed("round trip through base64");
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(EmbeddingCodec.base64(vector))).order(ByteOrder.LITTLE_ENDIAN);
    float[] decoded = new float[bytes.remaining() / 4];
    for (int i = 0; i < decoded.length; i++) {
      decoded[i] = bytes.getFloat();
    }
    assertThat(decoded).isEqualTo(vector);
    JsonArray floats = new JsonArray(EmbeddingCodec.floats(vector).encode());
    assertThat(floats.size()).isEqualTo(vector.length);
    for (int i = 0; i < vector.length; i++) {
      assertThat(floats.getNumber(i).floatValue()).isEqualTo(vector[i]);
    }
  }

  @Test
  @DisplayName("the directly written float array is valid JSON that reads back every float, tiny and negative ones too")
  void written_floats_round_trip() {
    Random random = new Random(7);
    float[] vector = new float[4096];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) (random.nextGaussian() * Math.pow(10, -random.nextInt(12)));
    }
    vector[0] = 0f;
    vector[1] = -0f;
    vector[2] = Float.MIN_VALUE;
    vector[3] = 1f;
    JsonArray written = new JsonArray(EmbeddingCodec.appendFloats(new StringBuilder(), vector).toString());
    assertThat(written.size()).isEqualTo(vector.length);
    for (int i = 0; i < vector.length; i++) {
      assertThat(written.getNumber(i).floatValue()).as("component %d", i).isEqualTo(vector[i]);
    }
    assertThat(new JsonArray(EmbeddingCodec.appendFloats(new StringBuilder(), new float[0]).toString())).isEmpty();
  }
}
