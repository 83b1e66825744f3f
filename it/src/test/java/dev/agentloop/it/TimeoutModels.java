package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;

/**
 * The mock models the chain tests share: a fast one, one slower than its total timeout, and one
 * whose first token comes after its first-token timeout, with those timeouts, and what a client
 * sees when they expire.
 */
final class TimeoutModels {

  private TimeoutModels() {
  }

  /** mock-fast (16 tokens), mock-realistic (200 ms, then 20 ms a token, 32 tokens), mock-slow (5 s first token). */
  static JsonArray models() {
    return new JsonArray()
        .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
        .add(new JsonObject().put("id", "mock-realistic").put("first_token_ms", 200).put("per_token_ms", 20).put("tokens", 32))
        .add(new JsonObject().put("id", "mock-slow").put("first_token_ms", 5000).put("per_token_ms", 50).put("tokens", 32));
  }

  /** The {@code gateway.models} entries: mock-slow's first token due in 300 ms, mock-realistic done in 500 ms. */
  static JsonObject timeouts() {
    return new JsonObject()
        .put("mock-slow", new JsonObject().put("timeouts", new JsonObject().put("first_token_ms", 300)))
        .put("mock-realistic", new JsonObject().put("timeouts", new JsonObject().put("total_ms", 500)));
  }

  /** A first token later than its timeout (mock-slow), plain or streamed: a 504 before any byte. */
  static void assertFirstTokenTimeout(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(504);
    JsonObject error = ChatCompletionsTest.errorOf(response);
    assertThat(error.getString("type")).isEqualTo("timeout");
    assertThat(error.getString("code")).isEqualTo("upstream_timeout");
  }

  /** A stream past its total timeout after the first byte (mock-realistic): an error event, not a silent close. */
  static void assertTotalTimeoutAfterFirstByte(HttpResponse<String> streamed) {
    assertThat(streamed.statusCode()).isEqualTo(200);
    Sse.Stream stream = Sse.parse(streamed.body());
    assertThat(stream.done()).isFalse();
    assertThat(stream.contentEvents()).isNotEmpty().hasSizeLessThan(32);
    assertThat(stream.error()).isNotNull();
    assertThat(stream.error().getString("type")).isEqualTo("timeout");
  }
}
