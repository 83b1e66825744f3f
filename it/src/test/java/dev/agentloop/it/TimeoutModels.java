package dev.agentloop.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The mock models the chain tests share: a fast one, one slower than its total timeout, and one
 * whose first token comes after its first-token timeout, with those timeouts.
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
}
