package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.ApiClient;
import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Data belongs to the API key that created it, run once per backend (see the subclasses): another
 * key gets a 404 for it exactly as for an unknown id, on every route that touches a conversation or
 * a job; an admin key (marked in {@code gateway.api_keys}, or the admin key) sees everything; without
 * keys nothing is separated.
 */
abstract class OwnershipSuite extends BackendSuite {

  static final String ALICE = "alice-key-0001";
  static final String BOB = "bob-key-0002";
  static final String ROOT = "root-key-0003";
  static final String OPS = "ops-admin-key-0004";
  static final JsonArray MODELS = new JsonArray().add(mockFast(8)).add(mockEcho()).add(mockLong());

  private ApiClient alice;
  private ApiClient bob;
  private ApiClient root;
  private ApiClient ops;

  static JsonObject config(JsonObject storage, boolean keys) {
    JsonObject gateway = new JsonObject();
    if (keys) {
      gateway.put("api_keys", new JsonArray().add(ALICE).add(BOB)
          .add(new JsonObject().put("key", ROOT).put("admin", true))).put("admin_key", OPS);
    }
    return new JsonObject().put("gateway", gateway).put("storage", storage)
        .put("llm", new JsonObject().put("models", MODELS));
  }

  protected OwnershipSuite(StorageBackend backend) {
    super(backend);
  }

  @Override
  protected JsonObject appConfig(JsonObject storage) {
    return config(storage, true);
  }

  @Override
  protected void appStarted() {
    alice = new ApiClient(app.gatewayUrl(), ALICE);
    bob = new ApiClient(app.gatewayUrl(), BOB);
    root = new ApiClient(app.gatewayUrl(), ROOT);
    ops = new ApiClient(app.gatewayUrl(), OPS);
  }

  @Test
  void another_key_cannot_list_read_export_delete_or_chat_into_a_conversation_and_gets_404_like_an_unknown_id() {
    String title = "alice " + UUID.randomUUID();
    String id = create(alice, title);
    assertThat(alice.post("/v1/chat/completions", chat(id, "hello from alice")).statusCode()).isEqualTo(200);
    JsonObject unknown = error(bob.get("/v1/conversations/conv_doesnotexist"), 404);

    for (HttpResponse<String> refused : List.of(
        bob.get("/v1/conversations/" + id),
        bob.get("/v1/conversations/" + id + "?limit=10&after=1"),
        bob.get("/v1/conversations/" + id + "/export?format=jsonl"),
        bob.get("/v1/conversations/" + id + "/export?format=markdown"),
        bob.delete("/v1/conversations/" + id),
        bob.post("/v1/chat/completions", chat(id, "bob writes here")),
        bob.post("/v1/chat/completions", chat(id, "bob streams here").put("stream", true)),
        bob.post("/v1/agent/runs", new JsonObject().put("model", "mock-fast").put("input", "what did alice say?")
            .put("conversation_id", id)))) {
      JsonObject error = error(refused, 404);
      assertThat(error.getString("code")).isEqualTo(unknown.getString("code"));
      assertThat(error.getString("type")).isEqualTo(unknown.getString("type"));
      assertThat(refused.body()).doesNotContain("hello from alice").doesNotContain(title);
    }
    JsonObject bobsList = Http.json(bob.get("/v1/conversations?limit=100"));
    assertThat(ids(bobsList)).doesNotContain(id);
    assertThat(ids(Http.json(bob.get("/v1/conversations?limit=100&after=" + id)))).isEmpty();

    JsonObject mine = Http.json(alice.get("/v1/conversations/" + id));
    assertThat(mine.getInteger("message_count")).as("nothing bob sent was stored").isEqualTo(2);
    assertThat(mine.getString("title")).isEqualTo(title);
    assertThat(ids(Http.json(alice.get("/v1/conversations?limit=100")))).contains(id);
    assertThat(alice.get("/v1/conversations/" + id + "/export?format=jsonl").body()).contains("hello from alice");
    assertThat(alice.post("/v1/agent/runs", new JsonObject().put("model", "mock-fast").put("input", "and now?")
        .put("conversation_id", id)).statusCode()).isEqualTo(200);
    assertThat(alice.delete("/v1/conversations/" + id).statusCode()).isEqualTo(200);
  }

  @Test
  void another_key_cannot_read_cancel_or_watch_a_job_running_or_finished() {
    String running = created(alice.post("/v1/jobs", Jobs.batch("mock-long", 1, 1)), 202);
    Await.until("alice's job runs", Duration.ofSeconds(10),
        () -> Jobs.get(app.gatewayUrl(), ALICE, running).getJsonObject("progress").getInteger("running") == 1);
    assertJobHidden(running);
    assertThat(Jobs.get(app.gatewayUrl(), ALICE, running).getString("status")).as("bob did not cancel it")
        .isEqualTo("running");
    assertThat(alice.delete("/v1/jobs/" + running).statusCode()).isEqualTo(200);

    String finished = created(alice.post("/v1/jobs", Jobs.batch("mock-fast", 2, 2)), 202);
    assertThat(Jobs.awaitFinished(app.gatewayUrl(), ALICE, finished, Duration.ofSeconds(20)).getString("status"))
        .isEqualTo("completed");
    assertJobHidden(finished);
    assertJobHidden(running);
    assertThat(alice.get("/v1/jobs/" + finished + "/results").statusCode()).isEqualTo(200);
    assertThat(alice.get("/v1/jobs/" + finished + "/events").statusCode()).isEqualTo(200);
  }

  private void assertJobHidden(String id) {
    JsonObject unknown = error(bob.get("/v1/jobs/job_" + "0".repeat(32)), 404);
    for (HttpResponse<String> refused : List.of(bob.get("/v1/jobs/" + id), bob.get("/v1/jobs/" + id + "/results"),
        bob.get("/v1/jobs/" + id + "/events"), bob.delete("/v1/jobs/" + id))) {
      JsonObject error = error(refused, 404);
      assertThat(error.getString("code")).isEqualTo(unknown.getString("code"));
      assertThat(error.getString("type")).isEqualTo(unknown.getString("type"));
    }
  }

  @Test
  void an_admin_key_sees_the_data_of_every_key_and_its_own_stays_its_own() {
    String ofAlice = create(alice, "for the admins");
    String ofBob = create(bob, "for the admins too");
    String job = created(bob.post("/v1/jobs", Jobs.batch("mock-fast", 1, 1)), 202);
    for (ApiClient admin : List.of(root, ops)) {
      assertThat(ids(Http.json(admin.get("/v1/conversations?limit=100")))).contains(ofAlice, ofBob);
      assertThat(admin.get("/v1/conversations/" + ofAlice).statusCode()).isEqualTo(200);
      assertThat(admin.get("/v1/conversations/" + ofBob + "/export?format=jsonl").statusCode()).isEqualTo(200);
      assertThat(Jobs.awaitFinished(app.gatewayUrl(), admin.key(), job, Duration.ofSeconds(20)).getString("status"))
          .isEqualTo("completed");
    }
    assertThat(root.post("/v1/chat/completions", chat(ofAlice, "an admin writes")).statusCode()).isEqualTo(200);
    assertThat(Http.json(alice.get("/v1/conversations/" + ofAlice)).getInteger("message_count")).isEqualTo(2);

    String ofRoot = create(root, "the admin's own");
    assertThat(alice.get("/v1/conversations/" + ofRoot).statusCode()).isEqualTo(404);
    assertThat(ops.get("/v1/conversations/" + ofRoot).statusCode()).isEqualTo(200);
    assertThat(ids(Http.json(alice.get("/v1/conversations?limit=100")))).contains(ofAlice).doesNotContain(ofBob, ofRoot);
  }

  @Test
  void idempotency_keys_are_per_key_so_one_client_never_replays_anothers_answer() {
    String shared = "same-key-" + UUID.randomUUID();
    HttpResponse<String> ofAlice = alice.post("/v1/conversations", new JsonObject().put("title", "a"),
        "idempotency-key", shared);
    HttpResponse<String> ofBob = bob.post("/v1/conversations", new JsonObject().put("title", "a"),
        "idempotency-key", shared);
    assertThat(ofAlice.statusCode()).isEqualTo(201);
    assertThat(ofBob.statusCode()).isEqualTo(201);
    assertThat(Http.json(ofBob).getString("id")).isNotEqualTo(Http.json(ofAlice).getString("id"));
    assertThat(bob.get("/v1/conversations/" + Http.json(ofAlice).getString("id")).statusCode()).isEqualTo(404);
    HttpResponse<String> again = alice.post("/v1/conversations", new JsonObject().put("title", "a"),
        "idempotency-key", shared);
    assertThat(Http.json(again).getString("id")).isEqualTo(Http.json(ofAlice).getString("id"));
  }

  @Test
  void data_without_an_owner_is_anonymous_visible_to_all_without_keys_and_only_to_admins_with_keys() {
    JsonObject storage = storageConfig();
    String anonymous;
    String ofAlice;
    try (TestApp open = TestApp.start(config(storage, false))) {
      ApiClient anyone = new ApiClient(open.gatewayUrl(), null);
      anonymous = create(anyone, "made without keys");
    }
    try (TestApp keyed = TestApp.start(config(storage, true))) {
      ApiClient keyedAlice = new ApiClient(keyed.gatewayUrl(), ALICE);
      assertThat(keyedAlice.get("/v1/conversations/" + anonymous).statusCode()).isEqualTo(404);
      assertThat(new ApiClient(keyed.gatewayUrl(), ROOT).get("/v1/conversations/" + anonymous).statusCode())
          .isEqualTo(200);
      ofAlice = create(keyedAlice, "made by alice");
    }
    try (TestApp open = TestApp.start(config(storage, false))) {
      ApiClient anyone = new ApiClient(open.gatewayUrl(), null);
      assertThat(ids(Http.json(anyone.get("/v1/conversations?limit=100")))).contains(anonymous, ofAlice);
      assertThat(anyone.get("/v1/conversations/" + ofAlice).statusCode()).isEqualTo(200);
      assertThat(anyone.post("/v1/chat/completions", chat(ofAlice, "no keys now")).statusCode()).isEqualTo(200);
    }
  }

  // ---- helpers ----

  static JsonObject chat(String conversation, String words) {
    return Http.chat("mock-echo", words).put("conversation_id", conversation);
  }

  static String create(ApiClient client, String title) {
    return created(client.post("/v1/conversations", new JsonObject().put("title", title)), 201);
  }

  static String created(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Http.json(response).getString("id");
  }

  static List<String> ids(JsonObject list) {
    return list.getJsonArray("data").stream().map(c -> ((JsonObject) c).getString("id")).toList();
  }
}
