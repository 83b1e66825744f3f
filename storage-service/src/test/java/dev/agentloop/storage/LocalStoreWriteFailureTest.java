package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Appends that fail half-way, injected through {@link RecordFile.Io}: a short write followed by a
 * full disk, an fsync error, and a failure that cannot even be undone. The file stays byte for
 * byte what it was, the index does not move, and the turns written afterwards are all readable,
 * before and after a restart.
 */
class LocalStoreWriteFailureTest extends LocalStoreTestBase {

  /** Fails the next write after letting {@code shortBy}-less bytes through, or the next fsync / truncate. */
  static final class Faults implements RecordFile.Io {
    volatile boolean failWrite;
    volatile boolean failForce;
    volatile boolean failTruncate;
    final AtomicInteger writes = new AtomicInteger();

    @Override
    public int write(FileChannel channel, ByteBuffer source, long position) throws IOException {
      writes.incrementAndGet();
      if (failWrite) {
        failWrite = false;
        // a short write: half the frame reaches the file, then the disk is full
        ByteBuffer half = source.slice(source.position(), source.remaining() / 2);
        int written = channel.write(half, position);
        source.position(source.position() + written);
        throw new IOException("No space left on device");
      }
      return channel.write(source, position);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
      if (failForce) {
        failForce = false;
        throw new IOException("Input/output error");
      }
      channel.force(true);
    }

    @Override
    public void truncate(FileChannel channel, long size) throws IOException {
      if (failTruncate) {
        throw new IOException("Read-only file system");
      }
      channel.truncate(size);
    }
  }

  private LocalConversationRepository open(RecordFile.Io io, int maxRecord) throws Exception {
    LocalConversationRepository repository = new LocalConversationRepository(vertx, dataDir,
        new RecordFile(io, maxRecord), new LocalKeys(100));
    repository.start().await(10, TimeUnit.SECONDS);
    return repository;
  }

  private static JsonObject turn(LocalConversationRepository repository, String id, String words) throws Exception {
    return repository.appendTurn(OWNER, id, new JsonArray().add(new JsonObject().put("role", "user").put("content", words)),
        new JsonObject().put("content", words).put("model", "mock-echo").put("complete", true))
        .await(10, TimeUnit.SECONDS);
  }

  private static List<String> contents(LocalConversationRepository repository, String id) throws Exception {
    return repository.page(OWNER, id, 0, 1000).await(10, TimeUnit.SECONDS).getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("content")).toList();
  }

  private Path file(String id) {
    return dataDir.resolve("conversations").resolve(id + ".log");
  }

  @Test
  void a_short_write_on_a_full_disk_leaves_the_file_byte_for_byte_as_it_was() throws Exception {
    Faults faults = new Faults();
    LocalConversationRepository repository = open(faults, Frames.MAX_PAYLOAD);
    String id = repository.create(OWNER, "short", null).await(10, TimeUnit.SECONDS).getString("id");
    turn(repository, id, "one");
    byte[] before = Files.readAllBytes(file(id));

    faults.failWrite = true;
    assertThatThrownBy(() -> turn(repository, id, "two"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.getMessage()).contains("No space left on device");
        });
    assertThat(Files.readAllBytes(file(id))).isEqualTo(before);
    assertThat(repository.page(OWNER, id, 0, 10).await(10, TimeUnit.SECONDS).getInteger("message_count")).isEqualTo(2);

    assertThat(turn(repository, id, "three").getInteger("message_count")).isEqualTo(4);
    assertThat(contents(repository, id)).containsExactly("one", "one", "three", "three");
    repository.close().await();
    LocalConversationRepository reopened = open(RecordFile.Io.REAL, Frames.MAX_PAYLOAD);
    assertThat(contents(reopened, id)).containsExactly("one", "one", "three", "three");
    reopened.close().await();
  }

  @Test
  void a_failed_fsync_takes_the_written_frame_back() throws Exception {
    Faults faults = new Faults();
    LocalConversationRepository repository = open(faults, Frames.MAX_PAYLOAD);
    String id = repository.create(OWNER, "fsync", null).await(10, TimeUnit.SECONDS).getString("id");
    turn(repository, id, "one");
    byte[] before = Files.readAllBytes(file(id));

    faults.failForce = true;
    assertThatThrownBy(() -> turn(repository, id, "two"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(Files.readAllBytes(file(id))).isEqualTo(before);
    assertThat(turn(repository, id, "three").getInteger("message_count")).isEqualTo(4);
    assertThat(contents(repository, id)).containsExactly("one", "one", "three", "three");
    repository.close().await();
  }

  @Test
  void a_failure_that_cannot_be_undone_makes_the_conversation_read_only_until_restart() throws Exception {
    Faults faults = new Faults();
    LocalConversationRepository repository = open(faults, Frames.MAX_PAYLOAD);
    String id = repository.create(OWNER, "stuck", null).await(10, TimeUnit.SECONDS).getString("id");
    String other = repository.create(OWNER, "other", null).await(10, TimeUnit.SECONDS).getString("id");
    turn(repository, id, "one");

    faults.failWrite = true;
    faults.failTruncate = true;
    assertThatThrownBy(() -> turn(repository, id, "two"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
    faults.failTruncate = false;
    assertThatThrownBy(() -> turn(repository, id, "three"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.getMessage()).contains("read-only").contains("No space left on device")
              .contains("Read-only file system");
        });
    // reads keep working, past the half frame at the end, and other conversations still take turns
    assertThat(contents(repository, id)).containsExactly("one", "one");
    assertThat(repository.window(OWNER, id, 10, 10_000).await(10, TimeUnit.SECONDS).getJsonArray("messages")).hasSize(2);
    assertThat(turn(repository, other, "elsewhere").getInteger("message_count")).isEqualTo(2);
    repository.close().await();

    LocalConversationRepository restarted = open(RecordFile.Io.REAL, Frames.MAX_PAYLOAD);
    assertThat(turn(restarted, id, "four").getInteger("message_count")).isEqualTo(4);
    assertThat(contents(restarted, id)).containsExactly("one", "one", "four", "four");
    restarted.close().await();
  }

  @Test
  void a_turn_larger_than_a_record_may_be_is_refused_before_any_byte_is_written() throws Exception {
    Faults faults = new Faults();
    LocalConversationRepository repository = open(faults, 4096);
    String id = repository.create(OWNER, "big", null).await(10, TimeUnit.SECONDS).getString("id");
    turn(repository, id, "small");
    byte[] before = Files.readAllBytes(file(id));
    int writes = faults.writes.get();

    assertThatThrownBy(() -> turn(repository, id, "x".repeat(5_000)))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(413);
          assertThat(e.code()).isEqualTo("record_too_large");
        });
    assertThat(faults.writes.get()).isEqualTo(writes);
    assertThat(Files.readAllBytes(file(id))).isEqualTo(before);
    assertThat(contents(repository, id)).containsExactly("small", "small");
    repository.close().await();
  }
}
