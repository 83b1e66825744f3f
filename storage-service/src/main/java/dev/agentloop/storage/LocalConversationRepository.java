package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.storage.LocalConversationIndex.Entry;
import dev.agentloop.storage.PageCursors.Cursor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one append-only {@link RecordFile} per conversation under
 * {@code <data_dir>/conversations/<id>.log}, locked against a second process ({@link StoreLock}).
 * The first record describes the conversation (written whole: temp, fsync, rename); each later
 * record is one turn, so a turn is on disk entirely or not at all. A write is acknowledged only
 * after {@code fsync}, and the index changes only then; a write that fails leaves the file as it
 * was, and a conversation whose file could not be put back turns read-only until restart. A keyed
 * write ({@link KeyedWrite}) carries its key and response in its own record, so the key is
 * recorded exactly when the write is.
 *
 * <p>All file work and the in-memory index ({@link LocalConversationIndex}) live on one
 * single-threaded named worker pool: writes never interleave, the index needs no lock, and no event
 * loop ever touches a file. Pages are read forwards from a remembered cursor, history windows
 * backwards from the end of the file.
 */
final class LocalConversationRepository implements ConversationRepository {

  private static final Logger LOG = LoggerFactory.getLogger(LocalConversationRepository.class);

  private final Vertx vertx;
  private final Path dir;
  private final RecordFile files;
  private final LocalKeys keys;
  private StoreWorker worker;
  private StoreLock lock;
  // confined to the worker thread
  private final LocalConversationIndex index = new LocalConversationIndex();
  private final PageCursors cursors = new PageCursors();

  LocalConversationRepository(Vertx vertx, Path dataDir) {
    this(vertx, dataDir, new RecordFile(RecordFile.Io.REAL, Frames.MAX_PAYLOAD), new LocalKeys(10_000));
  }

  LocalConversationRepository(Vertx vertx, Path dataDir, RecordFile files, LocalKeys keys) {
    this.vertx = vertx;
    this.dir = dataDir.resolve("conversations");
    this.files = files;
    this.keys = keys;
  }

  @Override
  public Future<Void> start() {
    worker = new StoreWorker(vertx, "agentloop-storage-local", true, LOG, "storage: local store failure",
        "The local store failed: ");
    return worker.runAsIs(() -> {
      RecordFile.createDirectory(dir);
      lock = StoreLock.acquire(dir);
      List<LocalRecovery.Found> conversations;
      try {
        conversations = new LocalRecovery(dir, files, keys).run();
      } catch (IOException | RuntimeException e) {
        lock.close();
        lock = null;
        throw e;
      }
      for (LocalRecovery.Found found : conversations) {
        Entry entry = new Entry(found.header(), found.headerEnd());
        entry.messageCount = found.messageCount();
        index.add(entry);
      }
      return null;
    });
  }

  @Override
  public Future<JsonObject> create(String owner, String title, JsonObject metadata, KeyedWrite keyed) {
    return blocking(() -> {
      long now = System.currentTimeMillis();
      LocalKeys.Entry done = keyed == null ? null : keys.claim(keyed, now);
      if (done != null) {
        return KeyedWrite.recorded(done.status, LocalKeys.body(done), true);
      }
      String id = ConversationIds.newId();
      JsonObject header = new JsonObject().put("type", "conversation").put("id", id).put("owner", owner)
          .put("seq", index.nextSeq()).put("created_at", now / 1000).put("title", title)
          .put("metadata", metadata == null ? new JsonObject() : metadata);
      JsonObject conversation = Messages.conversation(id, now / 1000, title, header.getJsonObject("metadata"), 0);
      KeyedWrite write = keyed == null ? null : keyed.withBody(conversation);
      if (write != null) {
        header.put("idempotency", write.record(now));
      }
      long headerEnd;
      try {
        headerEnd = files.create(file(id), header);
      } catch (IOException | RuntimeException e) {
        unclaim(write);
        throw e instanceof Frames.TooLarge tooLarge ? tooLarge(tooLarge) : e;
      }
      index.add(new Entry(header, headerEnd));
      if (write == null) {
        return conversation;
      }
      keys.written(write, new LocalKeys.Place(file(id), 0, id), now);
      return KeyedWrite.recorded(write.status(), conversation, false);
    });
  }

  @Override
  public Future<JsonObject> page(String owner, String id, long after, int limit) {
    return blocking(() -> {
      Entry entry = index.require(owner, id);
      JsonArray page = new JsonArray();
      if (after < entry.messageCount) {
        readPage(entry, after, limit, page);
      }
      return ConversationRepository.messagePage(entry.json(), page, after, after + page.size() < entry.messageCount);
    });
  }

  private void readPage(Entry entry, long after, int limit, JsonArray page) throws IOException {
    Cursor start = cursors.find(entry.id, after, new Cursor(entry.headerEnd, 0));
    long[] position = {start.firstPosition()};
    try (FileChannel channel = FileChannel.open(file(entry.id), StandardOpenOption.READ)) {
      RecordScanner.forward(channel, start.offset(), frame -> {
        JsonArray messages = frame.record().getJsonArray("messages", new JsonArray());
        long first = position[0];
        for (int i = 0; i < messages.size() && page.size() < limit; i++) {
          if (first + i >= after) {
            page.add(messages.getValue(i));
          }
        }
        position[0] += messages.size();
        if (page.size() < limit) {
          return true;
        }
        long next = after + limit;
        cursors.remember(entry.id, next, position[0] > next ? new Cursor(frame.offset(), first)
            : new Cursor(frame.end(), position[0]));
        return false;
      });
    }
  }

  @Override
  public Future<JsonObject> window(String owner, String id, int maxMessages, long maxChars) {
    return blocking(() -> {
      Entry entry = index.require(owner, id);
      Window window = new Window(maxMessages, maxChars);
      boolean reachedStart = true;
      if (maxMessages > 0 && entry.messageCount > 0) {
        try (FileChannel channel = FileChannel.open(file(id), StandardOpenOption.READ)) {
          reachedStart = RecordScanner.backward(channel, entry.headerEnd, frame -> {
            JsonArray messages = frame.record().getJsonArray("messages", new JsonArray());
            for (int i = messages.size() - 1; i >= 0; i--) {
              if (messages.getValue(i) instanceof JsonObject message && !window.offer(message)) {
                return false;
              }
            }
            return true;
          });
        }
      }
      return ConversationRepository.windowReply(entry.json(), window.messages(reachedStart));
    });
  }

  @Override
  public Future<JsonObject> list(String owner, int limit, String after) {
    return blocking(() -> ConversationRepository.listPage(index.list(owner, limit + 1, after), limit));
  }

  @Override
  public Future<JsonObject> appendTurn(String owner, String id, JsonArray input, JsonObject assistant,
      KeyedWrite keyed) {
    return blocking(() -> {
      Entry entry = index.require(owner, id);
      if (entry.readOnly != null) {
        throw ApiException.unavailable("Conversation '" + id + "' is read-only until the storage-service restarts: "
            + entry.readOnly);
      }
      long now = System.currentTimeMillis();
      LocalKeys.Entry done = keyed == null ? null : keys.claim(keyed, now);
      if (done != null) {
        return KeyedWrite.recorded(done.status, LocalKeys.body(done), true);
      }
      JsonArray messages = Messages.turn(input, assistant, now / 1000);
      JsonObject turn = new JsonObject().put("type", "turn").put("messages", messages);
      if (keyed != null) {
        turn.put("idempotency", keyed.record(now));
      }
      long offset;
      try {
        offset = files.append(file(id), turn);
      } catch (IOException | RuntimeException e) {
        unclaim(keyed);
        throw appendFailure(entry, e);
      }
      entry.messageCount += messages.size();
      if (keyed == null) {
        return new JsonObject().put("conversation_id", id).put("message_count", entry.messageCount);
      }
      keys.written(keyed, new LocalKeys.Place(file(id), offset, id), now);
      return KeyedWrite.recorded(keyed.status(), keyed.body(), false);
    });
  }

  private Exception appendFailure(Entry entry, Exception e) {
    if (e instanceof Frames.TooLarge tooLarge) {
      return tooLarge(tooLarge);
    }
    if (e instanceof RecordFile.Unrepaired unrepaired) {
      entry.readOnly = unrepaired.getMessage();
      LOG.error("storage: conversation {} is read-only until restart: {}", entry.id, unrepaired.getMessage());
      return ApiException.unavailable("The turn was not stored and conversation '" + entry.id
          + "' is read-only until the storage-service restarts: " + unrepaired.getMessage());
    }
    return e;
  }

  private void unclaim(KeyedWrite keyed) {
    if (keyed != null) {
      keys.unclaim(keyed);
    }
  }

  @Override
  public Future<JsonObject> delete(String owner, String id) {
    return blocking(() -> {
      Entry entry = index.require(owner, id);
      RecordFile.delete(file(id));
      index.remove(entry);
      cursors.forget(id);
      keys.forget(id);
      return new JsonObject().put("id", id).put("object", "conversation.deleted").put("deleted", true);
    });
  }

  @Override
  public Future<JsonObject> ping() {
    return blocking(() -> new JsonObject().put("conversations", index.size()).put("idempotency_keys", keys.size()));
  }

  @Override
  public Future<Void> close() {
    if (worker == null) {
      return Future.succeededFuture();
    }
    return worker.runAsIs(() -> {
      if (lock != null) {
        lock.close();
      }
      return null;
    }).eventually(worker::close).mapEmpty();
  }

  private ApiException tooLarge(Frames.TooLarge e) {
    return new ApiException(413, "invalid_request_error", "record_too_large", null, "The turn is " + e.size
        + " bytes once stored; a conversation record may hold at most " + e.max + " bytes. Nothing was stored.");
  }

  private Path file(String id) {
    return dir.resolve(ConversationIds.require(id, "id") + LocalRecovery.SUFFIX);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return worker.run(work);
  }
}
