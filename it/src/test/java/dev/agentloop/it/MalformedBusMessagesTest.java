package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.Addresses;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every request address answers malformed bodies with a failure reply, and keeps serving. */
class MalformedBusMessagesTest {

  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  private static final List<Object> BAD_BODIES = List.of("text", 42, new JsonArray().add(1), new JsonObject(),
      new JsonObject().put("id", 7), new JsonObject().put("id", "../../etc/passwd"),
      new JsonObject().put("id", new JsonObject()), new JsonObject().put("limit", "ten").put("after", 3),
      new JsonObject().put("conversation_id", "conv_x").put("messages", "not a list"),
      new JsonObject().put("conversation_id", "conv_x").put("messages", new JsonArray()).put("assistant", 5),
      new JsonObject().put("id", "conv_abc").put("format", "pdf"),
      new JsonObject().put("owner", "*").put("key", "k").put("hash", "not hex").put("lock_ms", 5),
      new JsonObject().put("owner", "anonymous").put("key", "").put("hash", "ab").put("ttl_ms", -1),
      new JsonObject().put("owner", "anonymous").put("key", "k\u0001").put("hash", "ab").put("status", 200)
          .put("body", "not an object"),
      new JsonObject().put("owner", "anonymous").put("idempotency", "yes"));

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {Addresses.STORAGE_GET, Addresses.STORAGE_LIST, Addresses.STORAGE_APPEND,
      Addresses.STORAGE_DELETE, Addresses.STORAGE_CREATE, Addresses.LLM_STREAM,
      Addresses.LLM_COMPLETE, Addresses.STORAGE_JOBS_CREATE, Addresses.STORAGE_JOBS_UPDATE, Addresses.STORAGE_JOBS_RECORD,
      Addresses.STORAGE_JOBS_GET, Addresses.STORAGE_JOBS_RESULTS, Addresses.STORAGE_JOBS_INTERRUPT,
      Addresses.STORAGE_JOBS_EXPIRE, Addresses.STORAGE_IDEMPOTENCY_BEGIN, Addresses.STORAGE_IDEMPOTENCY_RELEASE,
      Addresses.STORAGE_IDEMPOTENCY_COMPLETE, Addresses.JOBS_CREATE, Addresses.JOBS_GET, Addresses.JOBS_RESULTS,
      Addresses.JOBS_CANCEL, Addresses.JOBS_WATCH, Addresses.AGENT_RUN})
  @DisplayName("malformed bodies get a 4xx failure reply, never a timeout, and the service keeps serving")
  void malformed_bodies(String address) throws Exception {
    for (Object body : BAD_BODIES) {
      try {
        app.vertx().eventBus().request(address, body).await(5, TimeUnit.SECONDS);
      } catch (ReplyException e) {
        assertThat(e.failureType()).as("%s with %s", address, body).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
        assertThat(e.failureCode()).as("%s with %s", address, body).isBetween(400, 499);
      }
    }
    assertThat(Http.get(app.gatewayUrl() + "/health/ready").statusCode()).isEqualTo(200);
    assertThat(Http.post(app.gatewayUrl() + "/v1/conversations", new JsonObject()).statusCode()).isEqualTo(201);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {Addresses.STORAGE_GET, Addresses.STORAGE_DELETE, Addresses.STORAGE_JOBS_GET,
      Addresses.STORAGE_JOBS_RESULTS, Addresses.JOBS_GET, Addresses.JOBS_RESULTS})
  @DisplayName("an id that could name a path is refused")
  void path_ids(String address) {
    assertThatThrownBy(() -> app.vertx().eventBus().request(address,
        new JsonObject().put("id", "../../etc/passwd").put("format", "jsonl")).await(5, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isIn(400, 404));
  }

  @Test
  @DisplayName("max_tokens over the configured limit is refused on the bus as over HTTP: a 400, no generation")
  void max_tokens_is_bounded_on_the_bus() throws Exception {
    int limit = app.config().getJsonObject("gateway").getInteger("max_tokens_limit");
    for (String address : List.of(Addresses.LLM_COMPLETE, Addresses.LLM_STREAM)) {
      for (long tokens : new long[] {limit + 1L, Integer.MAX_VALUE}) {
        JsonObject request = new JsonObject().put("id", "bus-" + tokens).put("model", "mock-fast").put("max_tokens", tokens)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
        assertThatThrownBy(() -> app.vertx().eventBus().request(address, request).await(5, TimeUnit.SECONDS))
            .as("%s with max_tokens %d", address, tokens)
            .isInstanceOfSatisfying(ReplyException.class, e -> {
              assertThat(e.failureCode()).isEqualTo(400);
              assertThat(e.getMessage()).contains("max_tokens").contains(String.valueOf(limit));
            });
      }
    }
    JsonObject fine = new JsonObject().put("model", "mock-fast").put("max_tokens", 5)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    JsonObject answer = (JsonObject) app.vertx().eventBus().request(Addresses.LLM_COMPLETE, fine)
        .await(5, TimeUnit.SECONDS).body();
    assertThat(answer.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);
  }
}
