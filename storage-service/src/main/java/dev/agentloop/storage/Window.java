package dev.agentloop.storage;

import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The newest stored messages that fit in {@code maxMessages} and {@code maxChars}, the same for every
 * backend. Messages are offered newest first and dropped oldest first, a group at a time: a
 * {@code tool} message waits for the message before it (the assistant message whose
 * {@code tool_calls} it answers), and the group is taken whole or not at all.
 */
final class Window {

  private final int maxMessages;
  private final long maxChars;
  private final Deque<JsonObject> taken = new ArrayDeque<>();
  private final List<JsonObject> group = new ArrayList<>();
  private long chars;
  private boolean full;

  Window(int maxMessages, long maxChars) {
    this.maxMessages = maxMessages;
    this.maxChars = maxChars;
    this.full = maxMessages == 0;
  }

  /** Offers the next older message; false once nothing older can fit (stop reading). */
  boolean offer(JsonObject message) {
    if (full) {
      return false;
    }
    group.add(message);
    if ("tool".equals(message.getValue("role"))) {
      return true;
    }
    return takeGroup();
  }

  private boolean takeGroup() {
    long groupChars = 0;
    for (JsonObject message : group) {
      groupChars += chars(message);
    }
    if (taken.size() + group.size() > maxMessages || chars + groupChars > maxChars) {
      full = true;
      group.clear();
      return false;
    }
    group.forEach(taken::addFirst);
    chars += groupChars;
    group.clear();
    full = taken.size() == maxMessages;
    return !full;
  }

  /**
   * The window, oldest first. {@code reachedStart}: every stored message was offered, so tool
   * messages still waiting opened the conversation and are taken if they fit; otherwise their
   * caller lies outside the window and they are left out.
   */
  JsonArray messages(boolean reachedStart) {
    if (reachedStart && !full && !group.isEmpty()) {
      takeGroup();
    }
    return new JsonArray(new ArrayList<>(taken));
  }

  int size() {
    return taken.size();
  }

  /** What a message weighs against {@code max_chars}: its text plus any tool calls it makes. */
  static long chars(JsonObject message) {
    Object calls = message.getValue("tool_calls");
    return ChatRequest.text(message).length() + (calls instanceof JsonArray array ? array.encode().length() : 0);
  }
}
