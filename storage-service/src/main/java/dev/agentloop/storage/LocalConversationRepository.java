package dev.agentloop.storage;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.storage.ConversationIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code <data_dir>/conversations/<id>.log}. The first record describes the conversation (written
 * whole: temp, fsync, rename); each later record is one turn, so a turn is on disk entirely or not
 * at all. A write is acknowledged only after {@code fsync}.
 *
 * <p>All file work and the in-memory index live on one single-threaded named worker pool: writes
 * never interleave, the index needs no lock, and no event loop ever touches a file. The index is
 * rebuilt at start by reading every file; a torn last record is cut off, an unreadable file is
 * logged and left alone.
 */
final class LocalConversationRepository implements ConversationRepository {

  private static final Logger LOG = LoggerFactory.getLogger(LocalConversationRepository.class);
  private static final String SUFFIX = ".log";

  private final Vertx vertx;
  private final Path dir;
  private WorkerExecutor worker;
  // confined to the worker thread
  private final Map<String, Entry> byId = new HashMap<>();
  private final NavigableMap<Long, Entry> bySeq = new TreeMap<>();
  private long nextSeq = 1;

  private static final class Entry {
    final String id;
    final long seq;
    final long createdAt;
    final String title;
    final JsonObject metadata;
    int messageCount;

    Entry(JsonObject header) {
      this.id = header.getString("id");
      this.seq = header.getLong("seq");
      this.createdAt = header.getLong("created_at");
      this.title = header.getString("title");
      this.metadata = header.getJsonObject("metadata", new JsonObject());
    }

    JsonObject json() {
      return Messages.conversation(id, createdAt, title, metadata, messageCount);
    }
  }

  LocalConversationRepository(Vertx vertx, Path dataDir) {
    this.vertx = vertx;
    this.dir = dataDir.resolve("conversations");
  }

  @Override
  public Future<Void> start() {
    worker = vertx.createSharedWorkerExecutor("agentloop-storage-local", 1);
    return blocking(() -> {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        RecordFile.syncDirectory(dir.getParent()); // the new directory's own entry is durable too
      }
      rebuildIndex();
      return null;
    });
  }

  private void rebuildIndex() throws IOException {
    int torn = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(SUFFIX + ".tmp")) {
          Files.deleteIfExists(file); // a create that never got acknowledged
          continue;
        }
        if (!name.endsWith(SUFFIX) || !ConversationIds.valid(name.substring(0, name.length() - SUFFIX.length()))) {
          continue;
        }
        try {
          RecordFile.Contents contents = RecordFile.read(file);
          if (contents.records().isEmpty() || !"conversation".equals(contents.records().get(0).getString("type"))) {
            LOG.warn("storage: {} has no readable header record; ignoring it", file);
            continue;
          }
          if (contents.torn()) {
            torn++;
            LOG.warn("storage: {} ends with a torn record (crash during a write); cutting it at byte {}", file,
                contents.validLength());
            RecordFile.truncate(file, contents.validLength());
          }
          Entry entry = new Entry(contents.records().get(0));
          for (JsonObject record : contents.records().subList(1, contents.records().size())) {
            entry.messageCount += record.getJsonArray("messages", new JsonArray()).size();
          }
          byId.put(entry.id, entry);
          bySeq.put(entry.seq, entry);
          nextSeq = Math.max(nextSeq, entry.seq + 1);
        } catch (IOException | RuntimeException e) {
          LOG.warn("storage: cannot read {} ({}); ignoring it", file, e.toString());
        }
      }
    }
    LOG.info("storage: local store at {}: {} conversations{}", dir, byId.size(),
        torn == 0 ? "" : ", " + torn + " torn tails repaired");
  }

  @Override
  public Future<JsonObject> create(String title, JsonObject metadata) {
    return blocking(() -> {
      String id = ConversationIds.newId();
      JsonObject header = new JsonObject().put("type", "conversation").put("id", id).put("seq", nextSeq)
          .put("created_at", System.currentTimeMillis() / 1000).put("title", title)
          .put("metadata", metadata == null ? new JsonObject() : metadata);
      RecordFile.create(file(id), header);
      Entry entry = new Entry(header);
      nextSeq++;
      byId.put(id, entry);
      bySeq.put(entry.seq, entry);
      return entry.json();
    });
  }

  @Override
  public Future<JsonObject> get(String id) {
    return blocking(() -> {
      Entry entry = require(id);
      RecordFile.Contents contents = RecordFile.read(file(id));
      JsonArray messages = new JsonArray();
      for (JsonObject record : contents.records().subList(1, contents.records().size())) {
        record.getJsonArray("messages", new JsonArray()).forEach(messages::add);
      }
      return entry.json().put("messages", messages);
    });
  }

  @Override
  public Future<JsonObject> list(int limit, String after) {
    return blocking(() -> {
      NavigableMap<Long, Entry> view = bySeq.descendingMap();
      if (after != null) {
        Entry cursor = byId.get(after);
        view = cursor == null ? new TreeMap<>() : bySeq.headMap(cursor.seq, false).descendingMap();
      }
      List<JsonObject> rows = new ArrayList<>();
      for (Entry entry : view.values()) {
        if (rows.size() > limit) {
          break;
        }
        rows.add(entry.json());
      }
      return ConversationRepository.page(rows, limit);
    });
  }

  @Override
  public Future<JsonObject> appendTurn(String id, JsonArray input, JsonObject assistant) {
    return blocking(() -> {
      Entry entry = require(id);
      JsonArray messages = Messages.turn(input, assistant, System.currentTimeMillis() / 1000);
      RecordFile.append(file(id), new JsonObject().put("type", "turn").put("messages", messages));
      entry.messageCount += messages.size();
      return new JsonObject().put("conversation_id", id).put("message_count", entry.messageCount);
    });
  }

  @Override
  public Future<JsonObject> delete(String id) {
    return blocking(() -> {
      Entry entry = require(id);
      RecordFile.delete(file(id));
      byId.remove(id);
      bySeq.remove(entry.seq);
      return new JsonObject().put("id", id).put("object", "conversation.deleted").put("deleted", true);
    });
  }

  @Override
  public Future<JsonObject> ping() {
    return blocking(() -> new JsonObject().put("conversations", byId.size()));
  }

  @Override
  public Future<Void> close() {
    return worker == null ? Future.succeededFuture() : worker.close();
  }

  private Entry require(String id) {
    Entry entry = byId.get(ConversationIds.require(id, "id"));
    if (entry == null) {
      throw ConversationIds.notFound(id);
    }
    return entry;
  }

  private Path file(String id) {
    return dir.resolve(ConversationIds.require(id, "id") + SUFFIX);
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
