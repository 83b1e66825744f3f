package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.common.ApiException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store after a crash: whatever the last write left behind (half a frame, a bad
 * checksum, a stray temp file, an empty or foreign file), it starts, keeps every whole turn, drops
 * only the torn one, and appends cleanly after it.
 */
class LocalStoreRecoveryTest {

  @TempDir
  Path dataDir;
  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private LocalConversationRepository open() throws Exception {
    LocalConversationRepository repository = new LocalConversationRepository(vertx, dataDir);
    repository.start().await(10, TimeUnit.SECONDS);
    return repository;
  }

  private static JsonObject turn(LocalConversationRepository repository, String id, String words) throws Exception {
    return repository.appendTurn(id, new JsonArray().add(new JsonObject().put("role", "user").put("content", words)),
        new JsonObject().put("content", words).put("model", "mock-echo").put("complete", true))
        .await(10, TimeUnit.SECONDS);
  }

  private Path file(String id) {
    return dataDir.resolve("conversations").resolve(id + ".log");
  }

  private String conversationWithThreeTurns() throws Exception {
    LocalConversationRepository repository = open();
    String id = repository.create("crash", null).await(10, TimeUnit.SECONDS).getString("id");
    for (int i = 0; i < 3; i++) {
      turn(repository, id, "turn " + i);
    }
    repository.close().await();
    return id;
  }

  @Test
  void a_half_written_last_record_is_cut_off_and_every_whole_turn_is_kept() throws Exception {
    String id = conversationWithThreeTurns();
    long good = Files.size(file(id));
    // a crash in the middle of a write: the frame promises 1000 bytes, 10 made it
    ByteBuffer torn = ByteBuffer.allocate(18).putInt(1000).putInt(12345).put("{\"type\":\"t".getBytes());
    Files.write(file(id), torn.array(), StandardOpenOption.APPEND);

    LocalConversationRepository repository = open();
    JsonObject conversation = repository.get(id).await(10, TimeUnit.SECONDS);
    assertThat(conversation.getJsonArray("messages")).hasSize(6);
    assertThat(conversation.getInteger("message_count")).isEqualTo(6);
    assertThat(Files.size(file(id))).isEqualTo(good);

    turn(repository, id, "after the crash");
    repository.close().await();
    JsonArray messages = open().get(id).await(10, TimeUnit.SECONDS).getJsonArray("messages");
    assertThat(messages).hasSize(8);
    assertThat(messages.getJsonObject(6).getString("content")).isEqualTo("after the crash");
  }

  @Test
  void a_last_record_with_a_bad_checksum_is_dropped() throws Exception {
    String id = conversationWithThreeTurns();
    byte[] bytes = Files.readAllBytes(file(id));
    bytes[bytes.length - 3] ^= 0x55; // flip bits inside the last turn's JSON
    Files.write(file(id), bytes);

    JsonObject conversation = open().get(id).await(10, TimeUnit.SECONDS);
    assertThat(conversation.getJsonArray("messages")).hasSize(4);
    assertThat(conversation.getJsonArray("messages").getJsonObject(3).getString("content")).isEqualTo("turn 1");
  }

  @Test
  void stray_empty_and_foreign_files_never_stop_the_start() throws Exception {
    String id = conversationWithThreeTurns();
    Path dir = dataDir.resolve("conversations");
    Files.write(dir.resolve("conv_leftover.log.tmp"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("conv_empty.log"), new byte[0]);
    Files.write(dir.resolve("conv_garbage.log"), "not a record at all".getBytes());
    Files.write(dir.resolve("notes.txt"), "hello".getBytes());

    LocalConversationRepository repository = open();
    JsonObject list = repository.list(100, null).await(10, TimeUnit.SECONDS);
    assertThat(list.getJsonArray("data")).hasSize(1);
    assertThat(list.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(Files.exists(dir.resolve("conv_leftover.log.tmp"))).isFalse();
    assertThatThrownBy(() -> repository.get("conv_garbage").await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void the_index_rebuilt_at_start_keeps_the_newest_first_order() throws Exception {
    LocalConversationRepository repository = open();
    String a = repository.create("a", null).await(10, TimeUnit.SECONDS).getString("id");
    String b = repository.create("b", null).await(10, TimeUnit.SECONDS).getString("id");
    String c = repository.create("c", null).await(10, TimeUnit.SECONDS).getString("id");
    repository.delete(b).await(10, TimeUnit.SECONDS);
    repository.close().await();

    JsonObject list = open().list(10, null).await(10, TimeUnit.SECONDS);
    assertThat(list.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .containsExactly(c, a);
  }

  @Test
  void records_round_trip_and_a_frame_longer_than_the_file_is_torn() throws IOException {
    Path file = dataDir.resolve("x.log");
    RecordFile.create(file, new JsonObject().put("n", 1));
    RecordFile.append(file, new JsonObject().put("n", 2));
    RecordFile.Contents contents = RecordFile.read(file);
    assertThat(contents.records()).extracting(r -> r.getInteger("n")).containsExactly(1, 2);
    assertThat(contents.torn()).isFalse();
    Files.write(file, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);
    RecordFile.Contents torn = RecordFile.read(file);
    assertThat(torn.torn()).isTrue();
    assertThat(torn.records()).hasSize(2);
    assertThat(torn.validLength()).isEqualTo(Files.size(file) - 3);
  }
}
