package dev.agentloop.storage;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A Vert.x and a data directory of its own for each test of the embedded file store, and one owner. */
abstract class LocalStoreTestBase {

  static final String OWNER = "key_0123456789abcdef";

  @TempDir
  Path dataDir;
  Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A new conversation of the owner, by id. */
  static String create(LocalConversationRepository repository, String title) throws Exception {
    return repository.create(OWNER, title, null).await(10, TimeUnit.SECONDS).getString("id");
  }

  /** One turn of the owner: {@code words} from the user, and the same words back. */
  static JsonObject turn(LocalConversationRepository repository, String id, String words) throws Exception {
    return repository.appendTurn(OWNER, id, new JsonArray().add(new JsonObject().put("role", "user").put("content", words)),
        new JsonObject().put("content", words).put("model", "mock-echo").put("complete", true))
        .await(10, TimeUnit.SECONDS);
  }

  /** The contents of the owner's messages, oldest first. */
  static List<String> contents(LocalConversationRepository repository, String id) throws Exception {
    return contents(repository, OWNER, id);
  }

  static List<String> contents(LocalConversationRepository repository, String owner, String id) throws Exception {
    return repository.page(owner, id, 0, 1000).await(10, TimeUnit.SECONDS).getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("content")).toList();
  }

  /** The log file of a conversation. */
  Path file(String id) {
    return dataDir.resolve("conversations").resolve(id + ".log");
  }
}
