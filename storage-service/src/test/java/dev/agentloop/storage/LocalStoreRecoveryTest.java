package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.Owners;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The embedded store after a crash or damage: whatever the last write left behind (half a frame, a
 * bad checksum, a stray temp file, an empty or foreign file), it starts, keeps every whole turn,
 * drops only the torn one, and appends cleanly after it. A damaged record in the middle is skipped,
 * never cut, and files in the earlier frame format are read and rewritten.
 */
class LocalStoreRecoveryTest extends LocalStoreTestBase {

  private LocalConversationRepository open() throws Exception {
    LocalConversationRepository repository = new LocalConversationRepository(vertx, dataDir);
    repository.start().await(10, TimeUnit.SECONDS);
    return repository;
  }

  private String conversationWithThreeTurns() throws Exception {
    LocalConversationRepository repository = open();
    String id = create(repository, "crash");
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
    JsonObject conversation = repository.page(OWNER, id, 0, 100).await(10, TimeUnit.SECONDS);
    assertThat(conversation.getJsonArray("messages")).hasSize(6);
    assertThat(conversation.getInteger("message_count")).isEqualTo(6);
    assertThat(Files.size(file(id))).isEqualTo(good);

    turn(repository, id, "after the crash");
    repository.close().await();
    JsonArray messages = open().page(OWNER, id, 0, 100).await(10, TimeUnit.SECONDS).getJsonArray("messages");
    assertThat(messages).hasSize(8);
    assertThat(messages.getJsonObject(6).getString("content")).isEqualTo("after the crash");
  }

  @Test
  void a_last_record_with_a_bad_checksum_is_dropped() throws Exception {
    String id = conversationWithThreeTurns();
    byte[] bytes = Files.readAllBytes(file(id));
    bytes[bytes.length - 8] ^= 0x55; // flip bits inside the last turn's JSON
    Files.write(file(id), bytes);

    JsonObject conversation = open().page(OWNER, id, 0, 100).await(10, TimeUnit.SECONDS);
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
    JsonObject list = repository.list(OWNER, 100, null).await(10, TimeUnit.SECONDS);
    assertThat(list.getJsonArray("data")).hasSize(1);
    assertThat(list.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(Files.exists(dir.resolve("conv_leftover.log.tmp"))).isFalse();
    assertThatThrownBy(() -> repository.page(OWNER, "conv_garbage", 0, 10).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void the_index_rebuilt_at_start_keeps_the_newest_first_order() throws Exception {
    LocalConversationRepository repository = open();
    String a = create(repository, "a");
    String b = create(repository, "b");
    String c = create(repository, "c");
    repository.delete(OWNER, b).await(10, TimeUnit.SECONDS);
    repository.close().await();

    JsonObject list = open().list(OWNER, 10, null).await(10, TimeUnit.SECONDS);
    assertThat(list.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .containsExactly(c, a);
  }

  @Test
  void a_damaged_record_in_the_middle_is_skipped_and_every_valid_record_after_it_is_kept() throws Exception {
    String id = conversationWithThreeTurns();
    byte[] bytes = Files.readAllBytes(file(id));
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int middle = text.indexOf("turn 1");
    bytes[middle] ^= 0x55; // the second turn's checksum no longer matches
    Files.write(file(id), bytes);

    LocalConversationRepository repository = open();
    assertThat(Files.size(file(id))).as("nothing cut at start").isEqualTo(bytes.length);
    assertThat(contents(repository, id)).containsExactly("turn 0", "turn 0", "turn 2", "turn 2");
    assertThat(repository.window(OWNER, id, 10, 10_000).await(10, TimeUnit.SECONDS).getJsonArray("messages")
        .stream().map(m -> ((JsonObject) m).getString("content")).toList())
        .containsExactly("turn 0", "turn 0", "turn 2", "turn 2");
    turn(repository, id, "turn 3");
    repository.close().await();

    LocalConversationRepository restarted = open();
    assertThat(contents(restarted, id)).containsExactly("turn 0", "turn 0", "turn 2", "turn 2", "turn 3", "turn 3");
    assertThat(Files.size(file(id))).isGreaterThan(bytes.length);
    restarted.close().await();
  }

  @Test
  void a_file_in_frame_format_1_is_read_rewritten_in_format_2_and_keeps_records_after_a_damaged_one()
      throws Exception {
    Path dir = Files.createDirectories(dataDir.resolve("conversations"));
    String id = "conv_legacy1";
    JsonObject header = new JsonObject().put("type", "conversation").put("id", id).put("seq", 7)
        .put("created_at", 1_700_000_000L).put("title", "old").put("metadata", new JsonObject());
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(legacyFrame(header));
    file.write(legacyFrame(legacyTurn("old 0")));
    byte[] damaged = legacyFrame(legacyTurn("old 1"));
    damaged[damaged.length - 5] ^= 0x55;
    file.write(damaged);
    file.write(legacyFrame(legacyTurn("old 2")));
    file.write(new byte[] {0, 0, 1}); // and a torn tail
    Files.write(dir.resolve(id + ".log"), file.toByteArray());

    LocalConversationRepository repository = open();
    // a file from before owners existed belongs to no key: anonymous
    assertThat(contents(repository, Owners.ANONYMOUS, id)).containsExactly("old 0", "old 0", "old 2", "old 2");
    assertThatThrownBy(() -> repository.page(OWNER, id, 0, 10).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThat(Frames.isMagic(Files.readAllBytes(file(id)), 0)).as("rewritten in format 2").isTrue();
    repository.appendTurn(Owners.ANONYMOUS, id, new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", "new")), new JsonObject().put("content", "new")).await(10, TimeUnit.SECONDS);
    repository.close().await();
    LocalConversationRepository restarted = open();
    assertThat(contents(restarted, Owners.ALL, id)).containsExactly("old 0", "old 0", "old 2", "old 2", "new", "new");
    assertThat(restarted.list(Owners.ANONYMOUS, 10, null).await(10, TimeUnit.SECONDS).getJsonArray("data")
        .getJsonObject(0).getString("title")).isEqualTo("old");
    assertThat(restarted.list(OWNER, 10, null).await(10, TimeUnit.SECONDS).getJsonArray("data")).isEmpty();
    restarted.close().await();
  }

  @Test
  void frames_round_trip_forwards_and_backwards_and_a_frame_longer_than_the_file_is_torn() throws IOException {
    Path file = dataDir.resolve("x.log");
    RecordFile records = new RecordFile(RecordFile.Io.REAL, Frames.MAX_PAYLOAD);
    long headerEnd = records.create(file, new JsonObject().put("n", 1));
    records.append(file, new JsonObject().put("n", 2));
    records.append(file, new JsonObject().put("n", 3));
    assertThat(forward(file, 0)).containsExactly(1, 2, 3);
    assertThat(backward(file, headerEnd)).containsExactly(3, 2);
    Files.write(file, new byte[] {(byte) 0xF5, 'A', 'L', 2, 0, 0, 1, 0}, StandardOpenOption.APPEND);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      RecordScanner.Summary summary = RecordScanner.forward(channel, 0, frame -> true);
      assertThat(summary.tornTail()).isTrue();
      assertThat(summary.validEnd()).isEqualTo(Files.size(file) - 8);
    }
    assertThat(forward(file, 0)).containsExactly(1, 2, 3);
    assertThat(backward(file, headerEnd)).containsExactly(3, 2);
  }

  private static List<Integer> forward(Path file, long from) throws IOException {
    List<Integer> seen = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      RecordScanner.forward(channel, from, frame -> seen.add(frame.record().getInteger("n")));
    }
    return seen;
  }

  private static List<Integer> backward(Path file, long floor) throws IOException {
    List<Integer> seen = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      RecordScanner.backward(channel, floor, frame -> seen.add(frame.record().getInteger("n")));
    }
    return seen;
  }

  private static JsonObject legacyTurn(String words) {
    return new JsonObject().put("type", "turn").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", words).put("created_at", 1L))
        .add(new JsonObject().put("role", "assistant").put("content", words).put("created_at", 1L)));
  }

  /** Format 1, as earlier versions wrote it: {@code [length][crc32c][json]}. */
  private static byte[] legacyFrame(JsonObject record) {
    byte[] payload = record.encode().getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue()).put(payload)
        .array();
  }
}
