package dev.agentloop.storage;

import dev.agentloop.storage.Frames.Frame;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The idempotency keys of the embedded store, in memory: the durable truth is the record of each
 * keyed write (a conversation's header or turn, a job's header, a line of the results log), which
 * holds its key and response and is read back at start. A key is reserved (a request runs), being
 * written (its write runs on a store's worker), or completed (where its record is). Shared by the
 * stores' worker threads, so every method holds the lock; none does file I/O but {@link #body}.
 * At most {@code maxPerOwner} keys per owner; owners are the configured keys, so the whole is bounded.
 */
final class LocalKeys {

  /** The keys are used from several workers at once (unordered blocking tasks). */
  private final ReentrantLock lock = new ReentrantLock();

  enum State { RESERVED, WRITING, COMPLETED }

  /** Where a completed key's record is, and the conversation or job it belongs to (null: the results log). */
  record Place(Path file, long offset, String group) {
  }

  static final class Entry {
    final String owner;
    final String key;
    final String hash;
    State state;
    long expiresAt;
    int status;
    Place place;

    Entry(String owner, String key, String hash, State state, long expiresAt) {
      this.owner = owner;
      this.key = key;
      this.hash = hash;
      this.state = state;
      this.expiresAt = expiresAt;
    }
  }

  private final Map<String, Map<String, Entry>> owners = new HashMap<>();
  private final Map<String, Set<Entry>> groups = new HashMap<>();
  private final int maxPerOwner;

  LocalKeys(int maxPerOwner) {
    this.maxPerOwner = maxPerOwner;
  }

  /** Reserves the key: null when reserved now, the entry when completed; 409, 422, 429 otherwise. */
  Entry begin(String owner, String key, String hash, long lockMs, long now) {
    lock.lock();
    try {
      Entry entry = live(owner, key, now);
      if (entry != null) {
        return decide(entry, hash, now);
      }
      add(new Entry(owner, key, hash, State.RESERVED, now + lockMs), now);
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** Before a keyed write: null when the write may go ahead (the key is now being written), the entry when completed. */
  Entry claim(KeyedWrite write, long now) {
    lock.lock();
    try {
      Entry entry = live(write.owner(), write.key(), now);
      if (entry == null) {
        add(new Entry(write.owner(), write.key(), write.hash(), State.WRITING, Long.MAX_VALUE), now);
        return null;
      }
      if (entry.state == State.RESERVED && entry.hash.equals(write.hash())) {
        entry.state = State.WRITING; // the reservation's own write
        entry.expiresAt = Long.MAX_VALUE;
        return null;
      }
      return decide(entry, write.hash(), now);
    } finally {
      lock.unlock();
    }
  }

  /** The claimed write is durable at {@code place}. */
  void written(KeyedWrite write, Place place, long now) {
    lock.lock();
    try {
      Entry entry = owners.getOrDefault(write.owner(), Map.of()).get(write.key());
      if (entry != null && entry.state == State.WRITING) {
        entry.state = State.COMPLETED;
        entry.status = write.status();
        entry.expiresAt = write.expiresAt(now);
        entry.place = place;
        group(entry);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The claimed write failed and wrote nothing: the key is free again. */
  void unclaim(KeyedWrite write) {
    lock.lock();
    try {
      Map<String, Entry> keys = owners.get(write.owner());
      Entry entry = keys == null ? null : keys.get(write.key());
      if (entry != null && entry.state == State.WRITING) {
        remove(entry);
      }
    } finally {
      lock.unlock();
    }
  }

  boolean release(String owner, String key, String hash) {
    lock.lock();
    try {
      Map<String, Entry> keys = owners.get(owner);
      Entry entry = keys == null ? null : keys.get(key);
      if (entry != null && entry.state == State.RESERVED && entry.hash.equals(hash)) {
        remove(entry);
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** At start: the key a record holds ({@code idempotency}), unless it has expired. */
  void restore(JsonObject record, Place place, long now) {
    lock.lock();
    try {
      if (!(record.getValue("idempotency") instanceof JsonObject keyed) || keyed.getLong("expires_at", 0L) <= now) {
        return;
      }
      Entry entry = new Entry(keyed.getString("owner"), keyed.getString("key"), keyed.getString("hash"),
          State.COMPLETED, keyed.getLong("expires_at"));
      if (entry.owner == null || entry.key == null || entry.hash == null) {
        return;
      }
      entry.status = keyed.getInteger("status", 200);
      entry.place = place;
      Entry existing = owners.getOrDefault(entry.owner, Map.of()).get(entry.key);
      if (existing != null) {
        remove(existing);
      }
      owners.computeIfAbsent(entry.owner, o -> new HashMap<>()).put(entry.key, entry);
      group(entry);
    } finally {
      lock.unlock();
    }
  }

  /** A completed key whose record could not be read any more (its conversation was deleted meanwhile). */
  void drop(Entry entry) {
    lock.lock();
    try {
      remove(entry);
    } finally {
      lock.unlock();
    }
  }

  /** The conversation or job is gone: so are the keys whose records it held. */
  void forget(String group) {
    lock.lock();
    try {
      Set<Entry> entries = groups.remove(group);
      if (entries != null) {
        List.copyOf(entries).forEach(this::remove);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forgets every key past its time; answers how many. */
  int sweep(long now) {
    lock.lock();
    try {
      List<Entry> expired = new ArrayList<>();
      owners.values().forEach(keys -> keys.values().stream().filter(e -> e.expiresAt <= now).forEach(expired::add));
      expired.forEach(this::remove);
      return expired.size();
    } finally {
      lock.unlock();
    }
  }

  /** Completed keys whose records are in the results log (null group). */
  List<Entry> inResultsLog() {
    lock.lock();
    try {
      List<Entry> found = new ArrayList<>();
      owners.values().forEach(keys -> keys.values().stream()
          .filter(e -> e.state == State.COMPLETED && e.place.group() == null).forEach(found::add));
      return found;
    } finally {
      lock.unlock();
    }
  }

  void move(Entry entry, Place place) {
    lock.lock();
    try {
      if (entry.state == State.COMPLETED) {
        entry.place = place;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The recorded response of a completed key, read from its record; null when the record is gone. */
  static JsonObject body(Entry entry) {
    try (FileChannel channel = FileChannel.open(entry.place.file(), StandardOpenOption.READ)) {
      Frame frame = Frames.decodeAt(channel, entry.place.offset(), channel.size());
      JsonObject keyed = frame == null ? null : frame.record().getJsonObject("idempotency");
      return keyed == null ? null : keyed.getJsonObject("body");
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }

  private Entry decide(Entry entry, String hash, long now) {
    if (!entry.hash.equals(hash)) {
      throw KeyedWrite.reused();
    }
    if (entry.state != State.COMPLETED) {
      throw KeyedWrite.inProgress(entry.expiresAt == Long.MAX_VALUE ? 1_000 : entry.expiresAt - now);
    }
    return entry;
  }

  /** The entry of the key unless it has expired (then it is forgotten). */
  private Entry live(String owner, String key, long now) {
    Map<String, Entry> keys = owners.get(owner);
    Entry entry = keys == null ? null : keys.get(key);
    if (entry != null && entry.expiresAt <= now) {
      remove(entry);
      return null;
    }
    return entry;
  }

  private void add(Entry entry, long now) {
    Map<String, Entry> keys = owners.computeIfAbsent(entry.owner, o -> new HashMap<>());
    if (keys.size() >= maxPerOwner) {
      keys.values().removeIf(e -> e.expiresAt <= now && ungroup(e));
    }
    if (keys.size() >= maxPerOwner) {
      long oldest = keys.values().stream().mapToLong(e -> e.expiresAt).min().orElse(now + 1_000);
      throw KeyedWrite.exhausted(maxPerOwner, Math.min(oldest, now + KeyedWrite.MAX_TTL_MS) - now);
    }
    keys.put(entry.key, entry);
  }

  private void group(Entry entry) {
    if (entry.place != null && entry.place.group() != null) {
      groups.computeIfAbsent(entry.place.group(), g -> new HashSet<>()).add(entry);
    }
  }

  private boolean ungroup(Entry entry) {
    if (entry.place != null && entry.place.group() != null) {
      Set<Entry> members = groups.get(entry.place.group());
      if (members != null) {
        members.remove(entry);
        if (members.isEmpty()) {
          groups.remove(entry.place.group());
        }
      }
    }
    return true;
  }

  private void remove(Entry entry) {
    Map<String, Entry> keys = owners.get(entry.owner);
    if (keys != null && keys.get(entry.key) == entry) {
      keys.remove(entry.key);
      if (keys.isEmpty()) {
        owners.remove(entry.owner);
      }
    }
    ungroup(entry);
  }

  /** How many keys are held (the ping reports it). */
  int size() {
    lock.lock();
    try {
      return owners.values().stream().mapToInt(Map::size).sum();
    } finally {
      lock.unlock();
    }
  }
}
