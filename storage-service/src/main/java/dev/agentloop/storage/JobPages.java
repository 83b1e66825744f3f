package dev.agentloop.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Pages of a job's results, the same on every backend: the items after index {@code after} in index
 * order, at most {@code limit} of them, stopping before the page would pass {@code maxBytes} (but
 * never empty while items remain), so no page costs more than that to read, send or encode. An item
 * without a stored result shows its status only.
 */
final class JobPages {

  /** About what an item without a result weighs in a page. */
  static final long PLACEHOLDER_BYTES = 48;

  private JobPages() {
  }

  /** The last index the page holds, from the sizes of the stored results after {@code after} (index to bytes). */
  static int last(int after, int limit, JobState state, Map<Integer, Long> sizes, long maxBytes) {
    int end = (int) Math.min(state.total() - 1L, (long) after + limit);
    int last = after;
    long bytes = 0;
    for (int i = after + 1; i <= end; i++) {
      long size = sizes.getOrDefault(i, PLACEHOLDER_BYTES);
      if (i > after + 1 && bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      last = i;
    }
    return last;
  }

  /** The page of indices {@code after + 1 .. last}, from the stored results among them (index to result). */
  static JsonObject page(int after, int last, JobState state, Map<Integer, JsonObject> results) {
    JsonArray data = new JsonArray();
    for (int i = after + 1; i <= last; i++) {
      JsonObject result = results.get(i);
      data.add(result != null ? result : new JsonObject().put("index", i).put("status", state.unfinishedItemStatus()));
    }
    return new JsonObject().put("object", "list").put("data", data)
        .put("first_index", data.isEmpty() ? null : after + 1)
        .put("last_index", data.isEmpty() ? null : last)
        .put("has_more", last < state.total() - 1);
  }

  /** The job as clients see it. */
  static JsonObject view(String id, long createdAt, int concurrency, JobState state) {
    return new JsonObject().put("id", id).put("object", "job").put("status", state.status())
        .put("created_at", createdAt).put("started_at", state.startedAt()).put("finished_at", state.finishedAt())
        .put("concurrency", concurrency).put("progress", state.progress());
  }
}
