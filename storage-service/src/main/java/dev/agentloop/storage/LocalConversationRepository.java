package dev.agentloop.storage;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.storage.ConversationIds;
import dev.agentloop.common.storage.Owners;
import dev.agentloop.storage.PageCursors.Cursor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one append-only {@link RecordFile} per conversation under
 * {@code <data_dir>/conversations/<id>.log}, locked against a second process ({@link StoreLock}).
 * The first record describes the conversation (written whole: temp, fsync, rename); each later
 * record is one turn, so a turn is on disk entirely or not at all. A write is acknowledged only
 * after {@code fsync}, and the index changes only then; a write that fails leaves the file as it
 * was, and a conversation whose file could not be put back turns read-only until restart.
 *
 * <p>All file work and the in-memory index live on one single-threaded named worker pool: writes
 * never interleave, the index needs no lock, and no event loop ever touches a file. Pages are read
 * forwards from a remembered cursor, history windows backwards from the end of the file.
 */
final class LocalConversationRepository implements ConversationRepository {

  private static final Logger LOG = LoggerFactory.getLogger(LocalConversationRepository.class);

  private final Vertx vertx;
  private final Path dir;
  private final RecordFile files;
  private WorkerExecutor worker;
  private StoreLock lock;
  // confined to the worker thread
  private final Map<String, Entry> byId = new HashMap<>();
  private final NavigableMap<Long, Entry> bySeq = new TreeMap<>();
  /** Each owner's conversations by seq, for its list (owners are the configured keys, so few). */
  private final Map<String, NavigableMap<Long, Entry>> byOwner = new HashMap<>();
  private final PageCursors cursors = new PageCursors();
  private long nextSeq = 1;

  private static final class Entry {
    final String id;
    final String owner;
    final long seq;
    final long createdAt;
    final String title;
    final JsonObject metadata;
    final long headerEnd;
    int messageCount;
    String readOnly;

    Entry(JsonObject header, long headerEnd) {
      this.id = header.getString("id");
      // files from before owners existed have none: they are anonymous
      this.owner = header.getValue("owner") instanceof String o && Owners.valid(o) ? o : Owners.ANONYMOUS;
      this.seq = header.getLong("seq");
      this.createdAt = header.getLong("created_at");
      this.title = header.getString("title");
      this.metadata = header.getJsonObject("metadata", new JsonObject());
      this.headerEnd = headerEnd;
    }

    JsonObject json() {
      return Messages.conversation(id, createdAt, title, metadata, messageCount);
    }
  }

  LocalConversationRepository(Vertx vertx, Path dataDir) {
    this(vertx, dataDir, new RecordFile(RecordFile.Io.REAL, Frames.MAX_PAYLOAD));
  }

  LocalConversationRepository(Vertx vertx, Path dataDir, RecordFile files) {
    this.vertx = vertx;
    this.dir = dataDir.resolve("conversations");
    this.files = files;
  }

  @Override
  public Future<Void> start() {
    worker = vertx.createSharedWorkerExecutor("agentloop-storage-local", 1);
    return worker.executeBlocking(() -> {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        RecordFile.syncDirectory(dir.getParent()); // the new directory's own entry is durable too
      }
      lock = StoreLock.acquire(dir);
      List<LocalRecovery.Found> conversations;
      try {
        conversations = new LocalRecovery(dir, files).run();
      } catch (IOException | RuntimeException e) {
        lock.close();
        lock = null;
        throw e;
      }
      for (LocalRecovery.Found found : conversations) {
        Entry entry = new Entry(found.header(), found.headerEnd());
        entry.messageCount = found.messageCount();
        index(entry);
        nextSeq = Math.max(nextSeq, entry.seq + 1);
      }
      return null;
    }, true);
  }

  @Override
  public Future<JsonObject> create(String owner, String title, JsonObject metadata) {
    return blocking(() -> {
      String id = ConversationIds.newId();
      JsonObject header = new JsonObject().put("type", "conversation").put("id", id).put("owner", owner)
          .put("seq", nextSeq)
          .put("created_at", System.currentTimeMillis() / 1000).put("title", title)
          .put("metadata", metadata == null ? new JsonObject() : metadata);
      long headerEnd;
      try {
        headerEnd = files.create(file(id), header);
      } catch (Frames.TooLarge e) {
        throw tooLarge(e);
      }
      Entry entry = new Entry(header, headerEnd);
      nextSeq++;
      index(entry);
      return entry.json();
    });
  }

  @Override
  public Future<JsonObject> page(String owner, String id, long after, int limit) {
    return blocking(() -> {
      Entry entry = require(owner, id);
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
      Entry entry = require(owner, id);
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
    return blocking(() -> {
      NavigableMap<Long, Entry> visible = Owners.ALL.equals(owner) ? bySeq
          : byOwner.getOrDefault(owner, new TreeMap<>());
      NavigableMap<Long, Entry> view = visible.descendingMap();
      if (after != null) {
        Entry cursor = byId.get(after);
        view = cursor == null || !Owners.sees(owner, cursor.owner) ? new TreeMap<>()
            : visible.headMap(cursor.seq, false).descendingMap();
      }
      List<JsonObject> rows = new ArrayList<>();
      for (Entry entry : view.values()) {
        if (rows.size() > limit) {
          break;
        }
        rows.add(entry.json());
      }
      return ConversationRepository.listPage(rows, limit);
    });
  }

  @Override
  public Future<JsonObject> appendTurn(String owner, String id, JsonArray input, JsonObject assistant) {
    return blocking(() -> {
      Entry entry = require(owner, id);
      if (entry.readOnly != null) {
        throw ApiException.unavailable("Conversation '" + id + "' is read-only until the storage-service restarts: "
            + entry.readOnly);
      }
      JsonArray messages = Messages.turn(input, assistant, System.currentTimeMillis() / 1000);
      try {
        files.append(file(id), new JsonObject().put("type", "turn").put("messages", messages));
      } catch (Frames.TooLarge e) {
        throw tooLarge(e);
      } catch (RecordFile.Unrepaired e) {
        entry.readOnly = e.getMessage();
        LOG.error("storage: conversation {} is read-only until restart: {}", id, e.getMessage());
        throw ApiException.unavailable("The turn was not stored and conversation '" + id
            + "' is read-only until the storage-service restarts: " + e.getMessage());
      }
      entry.messageCount += messages.size();
      return new JsonObject().put("conversation_id", id).put("message_count", entry.messageCount);
    });
  }

  @Override
  public Future<JsonObject> delete(String owner, String id) {
    return blocking(() -> {
      Entry entry = require(owner, id);
      RecordFile.delete(file(id));
      byId.remove(id);
      bySeq.remove(entry.seq);
      NavigableMap<Long, Entry> owned = byOwner.get(entry.owner);
      owned.remove(entry.seq);
      if (owned.isEmpty()) {
        byOwner.remove(entry.owner);
      }
      cursors.forget(id);
      return new JsonObject().put("id", id).put("object", "conversation.deleted").put("deleted", true);
    });
  }

  @Override
  public Future<JsonObject> ping() {
    return blocking(() -> new JsonObject().put("conversations", byId.size()));
  }

  @Override
  public Future<Void> close() {
    if (worker == null) {
      return Future.succeededFuture();
    }
    return worker.executeBlocking(() -> {
      if (lock != null) {
        lock.close();
      }
      return null;
    }, true).eventually(worker::close).mapEmpty();
  }

  private ApiException tooLarge(Frames.TooLarge e) {
    return new ApiException(413, "invalid_request_error", "record_too_large", null, "The turn is " + e.size
        + " bytes once stored; a conversation record may hold at most " + e.max + " bytes. Nothing was stored.");
  }

  private void index(Entry entry) {
    byId.put(entry.id, entry);
    bySeq.put(entry.seq, entry);
    byOwner.computeIfAbsent(entry.owner, o -> new TreeMap<>()).put(entry.seq, entry);
  }

  /** The conversation, if {@code owner} may see it; another owner's answers as an unknown one. */
  private Entry require(String owner, String id) {
    Entry entry = byId.get(ConversationIds.require(id, "id"));
    if (entry == null || !Owners.sees(owner, entry.owner)) {
      throw ConversationIds.notFound(id);
    }
    return entry;
  }

  private Path file(String id) {
    return dir.resolve(ConversationIds.require(id, "id") + LocalRecovery.SUFFIX);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return worker.<T>executeBlocking(work, true).recover(failure -> {
      if (failure instanceof ApiException) {
        return Future.failedFuture(failure);
      }
      LOG.error("storage: local store failure", failure);
      return Future.failedFuture(ApiException.unavailable("The local store failed: " + failure.getMessage()));
    });
  }
}
