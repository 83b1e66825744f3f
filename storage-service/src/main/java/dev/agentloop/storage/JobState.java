package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A job's state as the jobs verticle reports it: status, timestamps (seconds) and progress counters,
 * with a version that grows with every change, so writes that reach the store out of order never
 * move a job backwards.
 */
record JobState(long version, String status, Long startedAt, Long finishedAt, int total, int succeeded, int failed,
    int cancelled, int running) {

  static final String INTERRUPTED = "interrupted";
  static final String CANCELLED = "cancelled";
  static final Set<String> STATUSES = Set.of("queued", "running", "completed", CANCELLED, INTERRUPTED);
  static final int MAX_ITEMS = 100_000;

  boolean finished() {
    return finishedAt != null;
  }

  /** The state after the process running it stopped: whatever had not finished counts as cancelled. */
  JobState interrupted(long at) {
    return new JobState(version + 1, INTERRUPTED, startedAt, at, total, succeeded, failed,
        total - succeeded - failed, 0);
  }

  /** What an item without a result shows: pending while the job is active, else how the job ended. */
  String unfinishedItemStatus() {
    return CANCELLED.equals(status) || INTERRUPTED.equals(status) ? status : "pending";
  }

  JsonObject progress() {
    return new JsonObject().put("total", total).put("done", succeeded + failed).put("succeeded", succeeded)
        .put("failed", failed).put("cancelled", cancelled).put("running", running);
  }

  JsonObject toJson() {
    return new JsonObject().put("version", version).put("status", status).put("started_at", startedAt)
        .put("finished_at", finishedAt).put("progress", progress());
  }

  /** A checked state, or a 400 naming the field. */
  static JobState from(Object value) {
    if (!(value instanceof JsonObject json)) {
      throw ApiException.badRequest("Invalid 'state': expected an object.", "state", "invalid_type");
    }
    if (!(json.getValue("status") instanceof String status) || !STATUSES.contains(status)) {
      throw ApiException.badRequest("Invalid 'state.status': expected one of " + STATUSES + ".", "state.status",
          "invalid_value");
    }
    if (!(json.getValue("progress") instanceof JsonObject progress)) {
      throw ApiException.badRequest("Invalid 'state.progress': expected an object.", "state.progress", "invalid_type");
    }
    int total = count(progress, "total");
    int succeeded = count(progress, "succeeded");
    int failed = count(progress, "failed");
    int cancelled = count(progress, "cancelled");
    int running = count(progress, "running");
    if (succeeded + failed + cancelled > total || total > MAX_ITEMS) {
      throw ApiException.badRequest("Invalid 'state.progress': the counts do not add up.", "state.progress",
          "invalid_value");
    }
    Long finishedAt = time(json, "finished_at");
    if ((finishedAt != null) == ("queued".equals(status) || "running".equals(status))) {
      throw ApiException.badRequest("Invalid 'state.finished_at': set exactly when the job is finished.",
          "state.finished_at", "invalid_value");
    }
    return new JobState(whole(json.getValue("version"), "state.version", Long.MAX_VALUE), status,
        time(json, "started_at"), finishedAt, total, succeeded, failed, cancelled, running);
  }

  private static int count(JsonObject progress, String key) {
    return (int) whole(progress.getValue(key), "state.progress." + key, MAX_ITEMS);
  }

  private static Long time(JsonObject json, String key) {
    Object value = json.getValue(key);
    return value == null ? null : whole(value, "state." + key, Long.MAX_VALUE);
  }

  /** A whole number in [0, max], or a 400 naming {@code param}. */
  static long whole(Object value, String param, long max) {
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0
        || ((Number) value).longValue() > max) {
      throw ApiException.badRequest("Invalid '" + param + "': expected a whole number between 0 and " + max + ".",
          param, "invalid_value");
    }
    return ((Number) value).longValue();
  }
}
