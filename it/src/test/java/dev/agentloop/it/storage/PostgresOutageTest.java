package dev.agentloop.it.storage;

import static dev.agentloop.it.storage.ConversationStorageSuite.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.TestPostgres;
import dev.agentloop.testkit.ThrowawayPostgres;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped under a running gateway (a throwaway cluster of the test's own, never the
 * shared server): storage calls answer 503 in OpenAI's shape from the pool's own failure, not the
 * 5 s bus timeout (which would be a 504); readiness turns 503; plain chats keep working; and
 * everything recovers by itself when the database is back.
 */
class PostgresOutageTest {

  @Test
  void a_database_outage_fails_storage_calls_fast_with_503_and_heals_by_itself() {
    try (ThrowawayPostgres pg = emptyDatabase()) {
      try (TestApp app = appOn(pg)) {
        String base = app.gatewayUrl();
        String id = Http.json(Http.post(base + "/v1/conversations", new JsonObject().put("title", "before"))).getString("id");
        assertThat(Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", "kept safe").put("conversation_id", id))
            .statusCode()).isEqualTo(200);
        assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(200);

        pg.stop();

        long started = System.nanoTime();
        JsonObject error = assertError(Http.post(base + "/v1/conversations", new JsonObject()), 503);
        long createMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(error.getString("type")).isEqualTo("service_unavailable");
        started = System.nanoTime();
        assertError(Http.get(base + "/v1/conversations/" + id), 503);
        long getMs = (System.nanoTime() - started) / 1_000_000;
        assertError(Http.get(base + "/v1/conversations"), 503);
        assertError(Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", "lost?").put("conversation_id", id)), 503);
        HttpResponse<String> plain = Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", "no storage needed"));
        assertThat(plain.statusCode()).isEqualTo(200);
        HttpResponse<String> ready = Http.get(base + "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("storage");
        System.out.printf("OUTAGE create_503_ms=%d get_503_ms=%d%n", createMs, getMs);

        pg.start();

        Await.until("readiness to return after the database restarts", Duration.ofSeconds(30),
            () -> Http.get(base + "/health/ready").statusCode() == 200);
        JsonObject conversation = Http.json(Http.get(base + "/v1/conversations/" + id));
        assertThat(conversation.getJsonArray("messages")).hasSize(2);
        assertThat(conversation.getJsonArray("messages").getJsonObject(1).getString("content")).isEqualTo("kept safe");
        assertThat(Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", "back again").put("conversation_id", id))
            .statusCode()).isEqualTo(200);
        assertThat(Http.json(Http.get(base + "/v1/conversations/" + id)).getInteger("message_count")).isEqualTo(4);
      }
    }
  }

  @Test
  void a_database_that_hangs_instead_of_refusing_still_gets_503_before_the_gateway_would_time_out() {
    try (ThrowawayPostgres pg = emptyDatabase()) {
      try (TestApp app = appOn(pg)) {
        String base = app.gatewayUrl();
        String id = Http.json(Http.post(base + "/v1/conversations", new JsonObject())).getString("id");

        pg.signalAll("STOP");
        try {
          long started = System.nanoTime();
          // 503 comes from the storage's own query/acquire timeouts; a 504 would be the 5 s bus timeout
          assertError(Http.get(base + "/v1/conversations/" + id), 503);
          assertError(Http.post(base + "/v1/conversations", new JsonObject()), 503);
          System.out.printf("HUNG two_503s_ms=%d%n", (System.nanoTime() - started) / 1_000_000);
          assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(503);
        } finally {
          pg.signalAll("CONT");
        }

        Await.until("readiness after the database wakes up", Duration.ofSeconds(30),
            () -> Http.get(base + "/health/ready").statusCode() == 200);
        assertThat(Http.get(base + "/v1/conversations/" + id).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void the_service_starts_while_the_database_is_down_and_migrates_once_it_comes_up() {
    try (ThrowawayPostgres pg = emptyDatabase()) {
      pg.stop();
      try (TestApp app = appOn(pg)) {
        String base = app.gatewayUrl();
        assertThat(Http.get(base + "/health/ready").statusCode()).isEqualTo(503);
        assertError(Http.post(base + "/v1/conversations", new JsonObject()), 503);
        pg.start();
        Await.until("readiness once the database is up", Duration.ofSeconds(30),
            () -> Http.get(base + "/health/ready").statusCode() == 200);
        assertThat(Http.post(base + "/v1/conversations", new JsonObject()).statusCode()).isEqualTo(201);
      }
    }
  }

  /** A throwaway cluster of the test's own with an empty database {@code agentloop}. */
  private static ThrowawayPostgres emptyDatabase() {
    ThrowawayPostgres pg = ThrowawayPostgres.create();
    try {
      TestPostgres.admin("127.0.0.1", pg.port(), "CREATE DATABASE agentloop");
      return pg;
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /** An app that stores in that database. */
  private static TestApp appOn(ThrowawayPostgres pg) {
    return TestApp.start(new JsonObject().put("storage", new JsonObject().put("backend", "postgres")
        .put("postgres", new JsonObject().put("url", pg.url("agentloop")))));
  }
}
