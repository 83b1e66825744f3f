package dev.agentloop.storage;

import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.contract.storage.Owners;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The local store's index of its conversations, rebuilt from the files at start: each one's header
 * fields, where its header ends and how many messages it holds, by id, by creation order, and per
 * owner (for that owner's list; owners are the configured keys, so there are few). Confined to the
 * store's worker thread.
 */
final class LocalConversationIndex {

  static final class Entry {
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

  private final Map<String, Entry> byId = new HashMap<>();
  private final NavigableMap<Long, Entry> bySeq = new TreeMap<>();
  private final Map<String, NavigableMap<Long, Entry>> byOwner = new HashMap<>();
  private long nextSeq = 1;

  long nextSeq() {
    return nextSeq;
  }

  void add(Entry entry) {
    byId.put(entry.id, entry);
    bySeq.put(entry.seq, entry);
    byOwner.computeIfAbsent(entry.owner, o -> new TreeMap<>()).put(entry.seq, entry);
    nextSeq = Math.max(nextSeq, entry.seq + 1);
  }

  void remove(Entry entry) {
    byId.remove(entry.id);
    bySeq.remove(entry.seq);
    NavigableMap<Long, Entry> owned = byOwner.get(entry.owner);
    owned.remove(entry.seq);
    if (owned.isEmpty()) {
      byOwner.remove(entry.owner);
    }
  }

  /** The conversation, if {@code owner} may see it; another owner's answers as an unknown one (404). */
  Entry require(String owner, String id) {
    Entry entry = byId.get(ConversationIds.require(id, "id"));
    if (entry == null || !Owners.sees(owner, entry.owner)) {
      throw ConversationIds.notFound(id);
    }
    return entry;
  }

  /** Up to {@code rows} of the owner's conversations (everyone's for "*"), newest first, after {@code after}. */
  List<JsonObject> list(String owner, int rows, String after) {
    NavigableMap<Long, Entry> visible = Owners.ALL.equals(owner) ? bySeq : byOwner.getOrDefault(owner, new TreeMap<>());
    NavigableMap<Long, Entry> view = visible.descendingMap();
    if (after != null) {
      Entry cursor = byId.get(after);
      view = cursor == null || !Owners.sees(owner, cursor.owner) ? new TreeMap<>()
          : visible.headMap(cursor.seq, false).descendingMap();
    }
    List<JsonObject> out = new ArrayList<>();
    for (Entry entry : view.values()) {
      if (out.size() >= rows) {
        break;
      }
      out.add(entry.json());
    }
    return out;
  }

  int size() {
    return byId.size();
  }
}
