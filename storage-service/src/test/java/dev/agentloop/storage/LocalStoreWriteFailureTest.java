package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.agentloop.contract.ApiException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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

  /** Asserts that the call fails with an {@link ApiException} of {@code status}, and returns it. */
  private static ApiException refused(int status, ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(status));
    return (ApiException) thrown;
  }

  @Test
  void a_short_write_on_a_full_disk_leaves_the_file_byte_for_byte_as_it_was() throws Exception {
    Faults faults = new Faults();
    LocalConversationRepository repository = open(faults, Frames.MAX_PAYLOAD);
    String id = create(repository, "short");
    turn(repository, id, "one");
    byte[] before = Files.readAllBytes(file(id));

    faults.failWrite = true;
    assertThat(refused(503, () -> turn(repository, id, "two")).getMessage()).contains("No space left on device");
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
    String id = create(repository, "fsync");
    turn(repository, id, "one");
    byte[] before = Files.readAllBytes(file(id));

    faults.failForce = true;
    refused(503, () -> turn(repository, id, "two"));
    assertThat(Files.readAllBytes(file(id))).isEqualTo(before);
    assertThat(turn(repository, id, "three").getInteger("message_count")).isEqualTo(4);
    assertThat(contents(repository, id)).containsExactly("one", "one", "three", "three");
    repository.close().await();
  }

  @Test
  void a_failure_that_cannot_be_undone_makes_the_conversation_read_only_until_restart() throws Exception {
    Faults faults = new Faults();
    LocalConversationRepository repository = open(faults, Frames.MAX_PAYLOAD);
    String id = create(repository, "stuck");
    String other = create(repository, "other");
    turn(repository, id, "one");

    faults.failWrite = true;
    faults.failTruncate = true;
    refused(503, () -> turn(repository, id, "two"));
    faults.failTruncate = false;
    assertThat(refused(503, () -> turn(repository, id, "three")).getMessage()).contains("read-only")
        .contains("No space left on device").contains("Read-only file system");
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
    String id = create(repository, "big");
    turn(repository, id, "small");
    byte[] before = Files.readAllBytes(file(id));
    int writes = faults.writes.get();

    assertThat(refused(413, () -> turn(repository, id, "x".repeat(5_000))).code()).isEqualTo("record_too_large");
    assertThat(faults.writes.get()).isEqualTo(writes);
    assertThat(Files.readAllBytes(file(id))).isEqualTo(before);
    assertThat(contents(repository, id)).containsExactly("small", "small");
    repository.close().await();
  }
}
