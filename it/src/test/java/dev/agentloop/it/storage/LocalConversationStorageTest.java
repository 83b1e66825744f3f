package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The storage suite against the embedded file store (the default backend), records capped at 64 KiB. */
class LocalConversationStorageTest extends ConversationStorageSuite {

  LocalConversationStorageTest() {
    super(StorageBackend.local("agentloop-conversations-"));
  }

  @Override
  protected JsonObject storageConfig() {
    return new JsonObject().put("backend", "local").put("local", new JsonObject().put("max_record_bytes", 65_536));
  }

  @Test
  void a_turn_larger_than_a_record_may_be_is_a_413_and_nothing_is_written() throws Exception {
    String id = create("too big");
    chat(id, "mock-echo", "small first", false);
    Path file = app.dataDir().resolve("conversations").resolve(id + ".log");
    byte[] before = Files.readAllBytes(file);

    // 40,000 characters asked and echoed: some 80 KB once stored, over the 64 KiB cap
    HttpResponse<String> refused = chat(id, "mock-echo", "word ".repeat(8_000).trim(), false);
    JsonObject error = assertError(refused, 413);
    assertThat(error.getString("code")).isEqualTo("record_too_large");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(Http.json(Http.get(base + "/v1/conversations/" + id)).getInteger("message_count")).isEqualTo(2);
    assertThat(chat(id, "mock-echo", "still fine", false).statusCode()).isEqualTo(200);
  }
}
