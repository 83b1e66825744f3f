package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.Addresses;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bounded history, paged reads and checked writes, for every backend ({@link ConversationStorageSuite}
 * implements this with the app of its backend, configured with {@link #CONFIG}): a chat in a long
 * conversation sends the model only the history window and says so in a header, {@code GET} pages
 * the messages, an export spans many pages, and a malformed turn on the bus is a 400.
 */
interface ConversationHistoryContract {

  /** A window of 6 messages or 2000 characters, in requests of at most 8 messages. */
  JsonObject CONFIG = new JsonObject().put("gateway", new JsonObject()
      .put("conversations", new JsonObject().put("history",
          new JsonObject().put("max_messages", 6).put("max_chars", 2000)))
      .put("limits", new JsonObject().put("max_messages", 8)));

  TestApp app();

  default String url() {
    return app().gatewayUrl();
  }

  @Test
  default void a_long_conversation_sends_the_model_only_the_newest_messages_and_says_how_many() {
    String id = conversation("window");
    for (int i = 0; i < 5; i++) {
      assertThat(chat(id, "turn " + i).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> answer = chat(id, "now");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().firstValue("x-agentloop-history")).hasValue("used=6; dropped=4");
    // 3 + six stored messages of 2 words (3 + 2 each) + "now" (3 + 1): turns 2 to 4 and the question
    assertThat(usage(answer)).isEqualTo(3 + 6 * 5 + 4);

    // the request's own 3 messages leave room for 5 of the history under limits.max_messages = 8
    JsonArray own = new JsonArray().add(message("user", "one")).add(message("assistant", "two"))
        .add(message("user", "three"));
    HttpResponse<String> three = Http.post(url() + "/v1/chat/completions",
        new JsonObject().put("model", "mock-echo").put("conversation_id", id).put("messages", own));
    assertThat(three.headers().firstValue("x-agentloop-history")).hasValue("used=5; dropped=7");
    // the five newest: both "now" messages (1 word), then "turn 4", "turn 4", "turn 3" (2 words)
    assertThat(usage(three)).isEqualTo(3 + (5 * 3 + 8) + 3 * 4);
    JsonArray nine = new JsonArray();
    for (int i = 0; i < 9; i++) {
      nine.add(message("user", "m" + i));
    }
    assertThat(Http.post(url() + "/v1/chat/completions", new JsonObject().put("model", "mock-echo")
        .put("conversation_id", id).put("messages", nine)).statusCode()).isEqualTo(400);

    HttpResponse<String> streamed = Http.post(url() + "/v1/chat/completions",
        Http.chat("mock-echo", "streamed").put("conversation_id", id).put("stream", true));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.headers().firstValue("x-agentloop-history")).hasValue("used=6; dropped=10");
  }

  @Test
  default void the_window_also_stops_at_max_chars_dropping_the_oldest_first() {
    String id = conversation("chars");
    String words = "abcde ".repeat(100).trim(); // 599 characters, echoed back as they are
    for (int i = 0; i < 4; i++) {
      assertThat(chat(id, words).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> answer = chat(id, "next");
    // three messages of 599 characters fit in 2000, a fourth would not
    assertThat(answer.headers().firstValue("x-agentloop-history")).hasValue("used=3; dropped=5");
    assertThat(usage(answer)).isEqualTo(3 + 3 * (100 + 3) + 4);
  }

  @Test
  default void get_pages_walk_every_message_exactly_once() throws Exception {
    String id = conversation("paged");
    for (int i = 0; i < 51; i++) {
      append(id, "m" + i);
    }
    JsonObject first = Http.json(Http.get(url() + "/v1/conversations/" + id));
    assertThat(first.getJsonArray("messages")).hasSize(100);
    assertThat(first.getBoolean("has_more")).isTrue();
    assertThat(first.getInteger("last_position")).isEqualTo(100);
    assertThat(first.getInteger("message_count")).isEqualTo(102);
    JsonObject rest = Http.json(Http.get(url() + "/v1/conversations/" + id + "?after=100"));
    assertThat(rest.getJsonArray("messages")).hasSize(2);
    assertThat(rest.getBoolean("has_more")).isFalse();
    assertThat(Http.json(Http.get(url() + "/v1/conversations/" + id + "?limit=1000")).getJsonArray("messages"))
        .hasSize(102);

    List<String> walked = new ArrayList<>();
    long after = 0;
    boolean more = true;
    while (more) {
      JsonObject page = Http.json(Http.get(url() + "/v1/conversations/" + id + "?limit=7&after=" + after));
      page.getJsonArray("messages").forEach(m -> walked.add(((JsonObject) m).getString("role") + " "
          + ((JsonObject) m).getString("content")));
      assertThat(page.getJsonArray("messages").size()).isLessThanOrEqualTo(7);
      after = page.getLong("last_position");
      more = page.getBoolean("has_more");
    }
    assertThat(walked).hasSize(102).doesNotHaveDuplicates();
    for (int i = 0; i < 51; i++) {
      assertThat(walked.subList(2 * i, 2 * i + 2)).containsExactly("user m" + i, "assistant m" + i);
    }
    for (String bad : List.of("limit=0", "limit=1001", "limit=abc", "after=-1", "after=x")) {
      assertThat(Http.get(url() + "/v1/conversations/" + id + "?" + bad).statusCode()).as(bad).isEqualTo(400);
    }
  }

  @Test
  default void an_export_spans_many_pages_in_order() throws Exception {
    String id = conversation("long export");
    for (int i = 0; i < 260; i++) {
      append(id, "line" + i);
    }
    List<String> lines = Http.get(url() + "/v1/conversations/" + id + "/export?format=jsonl").body().lines().toList();
    assertThat(lines).hasSize(1 + 520);
    assertThat(new JsonObject(lines.get(0)).getInteger("message_count")).isEqualTo(520);
    for (int i = 0; i < 260; i++) {
      assertThat(new JsonObject(lines.get(1 + 2 * i)).getString("content")).isEqualTo("line" + i);
    }
    String markdown = Http.get(url() + "/v1/conversations/" + id + "/export?format=markdown").body();
    assertThat(markdown).contains("- messages: 520").contains("## user\n\nline0\n").endsWith("line259\n");
  }

  @Test
  default void a_turn_with_a_wrongly_typed_field_is_a_400_and_stores_nothing() throws Exception {
    String id = conversation("typed");
    JsonObject user = message("user", "hi");
    List<JsonObject> bad = List.of(
        turn(id, new JsonArray().add(user), new JsonObject().put("content", 42)),
        turn(id, new JsonArray().add(user), new JsonObject().put("content", "ok").put("model", 7)),
        turn(id, new JsonArray().add(user), new JsonObject().put("content", "ok").put("finish_reason", true)),
        turn(id, new JsonArray().add(user), new JsonObject().put("content", "ok").put("usage", "lots")),
        turn(id, new JsonArray().add(user), new JsonObject().put("content", "ok").put("complete", "yes")),
        turn(id, new JsonArray().add(new JsonObject().put("role", 7).put("content", "x")), new JsonObject()),
        turn(id, new JsonArray().add(new JsonObject().put("content", "no role")), new JsonObject()),
        turn(id, new JsonArray().add(new JsonObject().put("role", "user").put("content", 5)), new JsonObject()));
    for (JsonObject body : bad) {
      assertThatThrownBy(() -> app().vertx().eventBus().request(Addresses.STORAGE_APPEND, body).await(10, TimeUnit.SECONDS))
          .as(body.encode())
          .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    }
    assertThat(Http.json(Http.get(url() + "/v1/conversations/" + id)).getInteger("message_count")).isZero();
  }

  // ---- helpers ----

  private String conversation(String title) {
    HttpResponse<String> created = Http.post(url() + "/v1/conversations", new JsonObject().put("title", title));
    assertThat(created.statusCode()).isEqualTo(201);
    return Http.json(created).getString("id");
  }

  private HttpResponse<String> chat(String id, String words) {
    return Http.post(url() + "/v1/chat/completions", Http.chat("mock-echo", words).put("conversation_id", id));
  }

  private void append(String id, String words) throws Exception {
    app().vertx().eventBus().request(Addresses.STORAGE_APPEND, turn(id, new JsonArray().add(message("user", words)),
        new JsonObject().put("content", words).put("model", "m"))).await(10, TimeUnit.SECONDS);
  }

  private static JsonObject turn(String id, JsonArray messages, JsonObject assistant) {
    return new JsonObject().put("owner", "*").put("conversation_id", id).put("messages", messages)
        .put("assistant", assistant);
  }

  private static JsonObject message(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  private static int usage(HttpResponse<String> response) {
    return Http.json(response).getJsonObject("usage").getInteger("prompt_tokens");
  }
}
