package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.Addresses;
import dev.agentloop.gateway.idempotency.RequestHash;
import dev.agentloop.it.support.ApiClient;
import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.RawHttp;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A retried write is stored once, run once per backend (see the subclasses): the same
 * {@code Idempotency-Key} with the same body answers the first result again; with another body it is
 * a 422; while the first request runs it is a 409; a write whose storage call timed out but committed
 * is found by the retry; keys expire, are capped per owner, and survive a restart.
 */
abstract class IdempotencySuite extends BackendSuite {

  static final String KEY = "idempotency-key";
  static final String CHAT = "/v1/chat/completions";
  /** Echoes slowly: a stream that is still running for a few seconds after its first word. */
  static final String DRIP = "mock-echo-drip";
  static final JsonArray MODELS = new JsonArray().add(mockFast(8)).add(mockEcho())
      .add(new JsonObject().put("id", DRIP).put("echo", true).put("per_token_ms", 250)).add(mockLong());

  protected ApiClient client;

  /** Holds every write to the conversation back until closed (it may still be read); returns once it holds. */
  protected abstract AutoCloseable holdWrites(TestApp app, String conversationId) throws Exception;

  static JsonObject config(JsonObject storage, JsonObject idempotency) {
    return new JsonObject().put("storage", storage).put("llm", new JsonObject().put("models", MODELS))
        .put("gateway", new JsonObject().put("idempotency", idempotency)
            .put("admission", new JsonObject().put("job", new JsonObject().put("per_client", 1))));
  }

  protected IdempotencySuite(StorageBackend backend) {
    super(backend);
  }

  @Override
  protected JsonObject appConfig(JsonObject storage) {
    return config(storage, new JsonObject());
  }

  @Override
  protected void appStarted() {
    client = new ApiClient(app.gatewayUrl(), null);
  }

  @Test
  void the_same_key_and_body_twice_store_one_turn_and_answer_the_same_body_plain_and_streamed() {
    String id = create();
    String key = newKey();
    HttpResponse<String> first = client.post(CHAT, chat(id, "mock-echo", "only once please"), KEY, key);
    HttpResponse<String> again = client.post(CHAT, chat(id, "mock-echo", "only once please"), KEY, key);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Http.json(again)).isEqualTo(Http.json(first));
    assertThat(again.headers().firstValue("idempotent-replayed")).hasValue("true");
    assertThat(first.headers().firstValue("idempotent-replayed")).isEmpty();
    assertThat(messageCount(id)).isEqualTo(2);

    String streamKey = newKey();
    JsonObject streamed = chat(id, "mock-echo", "stream it once").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    Sse.Stream one = Sse.parse(client.post(CHAT, streamed, KEY, streamKey).body());
    HttpResponse<String> replayed = client.post(CHAT, streamed, KEY, streamKey);
    Sse.Stream two = Sse.parse(replayed.body());
    assertThat(replayed.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(two.done()).isTrue();
    assertThat(two.content()).isEqualTo(one.content()).isEqualTo("stream it once");
    assertThat(two.usage()).isEqualTo(one.usage());
    assertThat(two.events().get(0).getString("id")).isEqualTo(one.events().get(0).getString("id"));
    assertThat(two.events().get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"))
        .isEqualTo("assistant");
    assertThat(finishReason(two)).isEqualTo(finishReason(one)).isEqualTo("stop");
    assertThat(messageCount(id)).isEqualTo(4);
  }

  @Test
  void a_large_body_is_matched_by_its_content_too() {
    String id = create();
    String key = newKey();
    String words = "large ".repeat(15_000); // some 90 kB: hashed off the event loop
    HttpResponse<String> first = client.post(CHAT, chat(id, "mock-fast", words), KEY, key);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    // the same content with its keys in another order is the same request
    JsonObject reordered = new JsonObject().put("conversation_id", id).put("messages", new JsonArray()
        .add(new JsonObject().put("content", words).put("role", "user"))).put("model", "mock-fast");
    assertThat(Http.json(client.post(CHAT, reordered, KEY, key))).isEqualTo(Http.json(first));
    assertThat(error(client.post(CHAT, chat(id, "mock-fast", words + "!"), KEY, key), 422).getString("code"))
        .isEqualTo("idempotency_key_reused");
    assertThat(messageCount(id)).isEqualTo(2);
  }

  @Test
  void the_same_key_with_another_body_or_on_another_route_is_a_422() {
    String id = create();
    String key = newKey();
    assertThat(client.post(CHAT, chat(id, "mock-echo", "the first body"), KEY, key).statusCode()).isEqualTo(200);
    JsonObject error = error(client.post(CHAT, chat(id, "mock-echo", "another body"), KEY, key), 422);
    assertThat(error.getString("code")).isEqualTo("idempotency_key_reused");
    assertThat(error(client.post("/v1/conversations", new JsonObject(), KEY, key), 422).getString("code"))
        .isEqualTo("idempotency_key_reused");
    assertThat(messageCount(id)).isEqualTo(2);
  }

  @Test
  void the_same_key_while_the_first_request_runs_is_a_409_with_retry_after() {
    String id = create();
    String key = newKey();
    JsonObject body = chat(id, DRIP, "one two three four five six seven eight").put("stream", true);
    ApiClient.Lines first = client.stream(CHAT, body, KEY, key);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.readUntil("\"content\":\"one")).isTrue();
    HttpResponse<String> concurrent = client.post(CHAT, body, KEY, key);
    assertThat(error(concurrent, 409).getString("code")).isEqualTo("idempotency_key_in_progress");
    assertThat(concurrent.headers().firstValue("retry-after")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s))
        .isPositive());
    Sse.Stream done = Sse.parse(first.rest());
    assertThat(done.done()).isTrue();
    Sse.Stream replay = Sse.parse(client.post(CHAT, body, KEY, key).body());
    assertThat(replay.content()).isEqualTo(done.content()).isEqualTo("one two three four five six seven eight");
    assertThat(messageCount(id)).isEqualTo(2);
  }

  @Test
  void a_turn_whose_storage_call_timed_out_but_committed_is_found_by_the_retry_and_stored_once() throws Exception {
    String id = create();
    String key = newKey();
    JsonObject body = chat(id, DRIP, "slow words that outlive the storage timeout").put("stream", true);
    ApiClient.Lines first = client.stream(CHAT, body, KEY, key);
    assertThat(first.readUntil("\"content\":\"slow")).isTrue();
    try (AutoCloseable held = holdWrites(app, id)) {
      Sse.Stream failed = Sse.parse(first.rest());
      assertThat(failed.done()).isFalse();
      assertThat(failed.error()).as("the client was told the turn was not stored").isNotNull();
      assertThat(failed.error().getString("code")).isIn("upstream_timeout", "service_unavailable");
      // the outcome is unknown until the write is done: a retry meanwhile is told to wait
      assertThat(error(client.post(CHAT, body, KEY, key), 409).getString("code")).isEqualTo("idempotency_key_in_progress");
    }
    Await.until("the held write commits", Duration.ofSeconds(20), () -> messageCount(id) == 2);
    HttpResponse<String> retry = client.post(CHAT, body, KEY, key);
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.headers().firstValue("idempotent-replayed")).hasValue("true");
    assertThat(Sse.parse(retry.body()).content()).isEqualTo("slow words that outlive the storage timeout");
    assertThat(messageCount(id)).as("one stored turn").isEqualTo(2);
  }

  @Test
  void a_stream_the_client_abandons_is_not_stored_and_its_retry_stores_the_turn_once() {
    String id = create();
    String key = newKey();
    JsonObject body = chat(id, DRIP, "leave before the end of this answer").put("stream", true);
    byte[] json = body.encode().getBytes(StandardCharsets.UTF_8);
    try (RawHttp abandoned = RawHttp.send(app.app().gatewayPort(), "POST " + CHAT + " HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nIdempotency-Key: " + key + "\r\nContent-Length: " + json.length
        + "\r\n\r\n" + body.encode())) {
      assertThat(abandoned.status()).isEqualTo(200);
    }
    HttpResponse<String> retry = Await.value("the abandoned request's key is released", Duration.ofSeconds(20),
        () -> client.post(CHAT, body, KEY, key), r -> r.statusCode() != 409);
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.headers().firstValue("idempotent-replayed")).isEmpty();
    assertThat(Sse.parse(retry.body()).content()).isEqualTo("leave before the end of this answer");
    assertThat(messageCount(id)).isEqualTo(2);
  }

  @Test
  void a_request_that_certainly_wrote_nothing_frees_its_key_at_once() {
    String id = create();
    String key = newKey();
    JsonObject unknownModel = chat(id, "no-such-model", "nobody answers");
    for (JsonObject body : List.of(unknownModel, unknownModel.copy().put("stream", true))) {
      String each = key + body.getBoolean("stream", false);
      assertThat(error(client.post(CHAT, body, KEY, each), 404).getString("code")).isEqualTo("model_not_found");
      assertThat(error(client.post(CHAT, body, KEY, each), 404).getString("code")).as("not a 409")
          .isEqualTo("model_not_found");
    }
    JsonObject badTitle = new JsonObject().put("title", 42);
    error(client.post("/v1/conversations", badTitle, KEY, key + "-create"), 400);
    error(client.post("/v1/conversations", badTitle, KEY, key + "-create"), 400);
    JsonObject run = new JsonObject().put("model", "no-such-model").put("input", "hello");
    assertThat(client.post("/v1/agent/runs", run, KEY, key + "-run").statusCode()).isEqualTo(404);
    assertThat(client.post("/v1/agent/runs", run, KEY, key + "-run").statusCode()).isEqualTo(404);
    assertThat(messageCount(id)).isZero();
  }

  @Test
  void conversation_create_job_create_and_agent_runs_are_idempotent() {
    String key = newKey();
    JsonObject titled = new JsonObject().put("title", "created once " + key);
    HttpResponse<String> created = client.post("/v1/conversations", titled, KEY, key);
    HttpResponse<String> again = client.post("/v1/conversations", titled, KEY, key);
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(Http.json(again)).isEqualTo(Http.json(created));
    long sameTitle = Http.json(client.get("/v1/conversations?limit=100")).getJsonArray("data").stream()
        .filter(c -> titled.getString("title").equals(((JsonObject) c).getString("title"))).count();
    assertThat(sameTitle).isEqualTo(1);

    // one job slot per client: a second job would be a 429, the replay is the first job
    String jobKey = newKey();
    JsonObject batch = Jobs.batch("mock-long", 1, 1);
    HttpResponse<String> job = client.post("/v1/jobs", batch, KEY, jobKey);
    HttpResponse<String> jobAgain = client.post("/v1/jobs", batch, KEY, jobKey);
    assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
    assertThat(jobAgain.statusCode()).as(jobAgain.body()).isEqualTo(202);
    assertThat(Http.json(jobAgain).getString("id")).isEqualTo(Http.json(job).getString("id"));
    assertThat(jobAgain.headers().firstValue("location")).isEqualTo(job.headers().firstValue("location"));
    assertThat(client.delete("/v1/jobs/" + Http.json(job).getString("id")).statusCode()).isEqualTo(200);

    String runKey = newKey();
    JsonObject run = new JsonObject().put("model", "mock-fast").put("input", "what is 2+3?");
    HttpResponse<String> ran = client.post("/v1/agent/runs", run, KEY, runKey);
    HttpResponse<String> ranAgain = client.post("/v1/agent/runs", run, KEY, runKey);
    assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
    assertThat(Http.json(ranAgain)).isEqualTo(Http.json(ran));
    String streamKey = newKey();
    JsonObject streamed = run.copy().put("stream", true);
    Sse.Stream live = Sse.parse(client.post("/v1/agent/runs", streamed, KEY, streamKey).body());
    Sse.Stream replayed = Sse.parse(client.post("/v1/agent/runs", streamed, KEY, streamKey).body());
    assertThat(replayed.done()).isTrue();
    assertThat(replayed.events().get(replayed.events().size() - 1))
        .isEqualTo(live.events().get(live.events().size() - 1));
  }

  @Test
  void without_the_header_every_request_is_a_new_write() {
    String id = create();
    JsonObject body = chat(id, "mock-echo", "twice without a key");
    assertThat(client.post(CHAT, body).statusCode()).isEqualTo(200);
    assertThat(client.post(CHAT, body).statusCode()).isEqualTo(200);
    assertThat(messageCount(id)).isEqualTo(4);
    assertThat(create()).isNotEqualTo(create());
  }

  @Test
  void a_malformed_key_is_a_400_and_the_longest_key_is_fine() {
    for (String bad : List.of("", "k".repeat(256))) {
      assertThat(error(client.post("/v1/conversations", new JsonObject(), KEY, bad), 400).getString("param"))
          .isEqualTo("Idempotency-Key");
    }
    try (RawHttp raw = RawHttp.send(app.app().gatewayPort(), "POST /v1/conversations HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nIdempotency-Key: cl\u00e9\r\nContent-Length: 2\r\n\r\n{}")) {
      assertThat(raw.status()).isEqualTo(400);
    }
    assertThat(client.post("/v1/conversations", new JsonObject(), KEY, "k".repeat(255)).statusCode()).isEqualTo(201);
  }

  @Test
  void a_reservation_left_by_a_crashed_request_expires_after_its_lock_time() throws Exception {
    String key = newKey();
    JsonObject body = new JsonObject().put("title", "after a crash");
    bus(Addresses.STORAGE_IDEMPOTENCY_BEGIN, new JsonObject().put("owner", "anonymous").put("key", key)
        .put("hash", RequestHash.of("POST /v1/conversations", body)).put("lock_ms", 1_000));
    assertThat(error(client.post("/v1/conversations", body, KEY, key), 409).getString("code"))
        .isEqualTo("idempotency_key_in_progress");
    HttpResponse<String> later = Await.value("the reservation expires", Duration.ofSeconds(20),
        () -> client.post("/v1/conversations", body, KEY, key), r -> r.statusCode() != 409);
    assertThat(later.statusCode()).isEqualTo(201);
  }

  @Test
  void a_key_expires_after_its_ttl_and_may_then_be_used_again() throws Exception {
    String key = newKey();
    bus(Addresses.STORAGE_IDEMPOTENCY_COMPLETE, new JsonObject().put("owner", "anonymous").put("key", key)
        .put("hash", "0".repeat(64)).put("status", 200).put("body", new JsonObject().put("old", true))
        .put("ttl_ms", 1_000));
    assertThat(error(client.post("/v1/conversations", new JsonObject(), KEY, key), 422).getString("code"))
        .isEqualTo("idempotency_key_reused");
    HttpResponse<String> later = Await.value("the key expires", Duration.ofSeconds(20),
        () -> client.post("/v1/conversations", new JsonObject(), KEY, key), r -> r.statusCode() != 422);
    assertThat(later.statusCode()).isEqualTo(201);
  }

  @Test
  void keys_and_their_results_survive_a_restart() {
    JsonObject storage = storageConfig();
    String key = newKey();
    JsonObject run = new JsonObject().put("model", "mock-fast").put("input", "remember me");
    JsonObject created;
    JsonObject answer;
    JsonObject ranOnce;
    String id;
    try (TestApp first = TestApp.start(config(storage, new JsonObject()))) {
      ApiClient before = new ApiClient(first.gatewayUrl(), null);
      created = Http.json(before.post("/v1/conversations", new JsonObject(), KEY, key));
      id = created.getString("id");
      answer = Http.json(before.post(CHAT, chat(id, "mock-echo", "kept across restarts"), KEY, key + "-chat"));
      ranOnce = Http.json(before.post("/v1/agent/runs", run, KEY, key + "-run"));
    }
    try (TestApp second = TestApp.start(config(storage, new JsonObject()))) {
      ApiClient after = new ApiClient(second.gatewayUrl(), null);
      assertThat(Http.json(after.post("/v1/conversations", new JsonObject(), KEY, key))).isEqualTo(created);
      assertThat(Http.json(after.post(CHAT, chat(id, "mock-echo", "kept across restarts"), KEY, key + "-chat")))
          .isEqualTo(answer);
      assertThat(Http.json(after.post("/v1/agent/runs", run, KEY, key + "-run"))).isEqualTo(ranOnce);
      assertThat(Http.json(after.get("/v1/conversations/" + id)).getInteger("message_count")).isEqualTo(2);
    }
  }

  @Test
  void an_owner_holds_a_bounded_number_of_keys_and_expired_ones_make_room() {
    JsonObject idempotency = new JsonObject().put("ttl_ms", 2_000);
    JsonObject storage = storageConfig().put("idempotency", new JsonObject().put("max_keys_per_owner", 3)
        .put("sweep_interval_ms", 200));
    try (TestApp capped = TestApp.start(config(storage, idempotency))) {
      ApiClient one = new ApiClient(capped.gatewayUrl(), null);
      for (int i = 0; i < 3; i++) {
        assertThat(one.post("/v1/conversations", new JsonObject(), KEY, "cap-" + i).statusCode()).isEqualTo(201);
      }
      HttpResponse<String> full = one.post("/v1/conversations", new JsonObject(), KEY, "cap-3");
      assertThat(error(full, 429).getString("code")).isEqualTo("idempotency_keys_exhausted");
      assertThat(full.headers().firstValue("retry-after")).isPresent();
      assertThat(one.post("/v1/conversations", new JsonObject()).statusCode()).as("no key, no limit").isEqualTo(201);
      HttpResponse<String> later = Await.value("the first keys expire", Duration.ofSeconds(20),
          () -> one.post("/v1/conversations", new JsonObject(), KEY, "cap-3"), r -> r.statusCode() != 429);
      assertThat(later.statusCode()).isEqualTo(201);
    }
  }

  // ---- helpers ----

  private JsonObject bus(String address, JsonObject body) throws Exception {
    return (JsonObject) app.vertx().eventBus().request(address, body).await(10, TimeUnit.SECONDS).body();
  }

  private String create() {
    HttpResponse<String> created = client.post("/v1/conversations", new JsonObject());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return Http.json(created).getString("id");
  }

  private int messageCount(String id) {
    return Http.json(client.get("/v1/conversations/" + id)).getInteger("message_count");
  }

  static String newKey() {
    return "key-" + UUID.randomUUID();
  }

  static JsonObject chat(String conversation, String model, String words) {
    return Http.chat(model, words).put("conversation_id", conversation);
  }

  private static String finishReason(Sse.Stream stream) {
    return stream.events().stream().filter(e -> !e.getJsonArray("choices").isEmpty())
        .map(e -> e.getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .filter(r -> r != null).findFirst().orElse(null);
  }
}
