package dev.agentloop.storage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where in a conversation file the next page of messages starts, remembered for the last
 * {@link #MAX} pages served, so that walking a conversation page by page reads each record about
 * once instead of from the start every time. Confined to the store's worker thread.
 */
final class PageCursors {

  static final int MAX = 1024;

  /** The record at {@code offset} holds the message at position {@code firstPosition} first. */
  record Cursor(long offset, long firstPosition) {
  }

  private final Map<String, Cursor> cursors = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cursor> eldest) {
      return size() > MAX;
    }
  };

  /** The cursor for the page after {@code position} messages, or {@code start} when none is remembered. */
  Cursor find(String id, long position, Cursor start) {
    Cursor cursor = cursors.get(id + "@" + position);
    return cursor == null ? start : cursor;
  }

  void remember(String id, long position, Cursor cursor) {
    cursors.put(id + "@" + position, cursor);
  }

  void forget(String id) {
    cursors.keySet().removeIf(key -> key.startsWith(id + "@"));
  }
}
