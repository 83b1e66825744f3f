package dev.agentloop.gateway.jobs;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ChatRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A background batch and its progress. Owned by the jobs verticle's event loop: no field is
 * touched from anywhere else.
 */
final class Job {

  static final String QUEUED = "queued";
  static final String RUNNING = "running";
  static final String COMPLETED = "completed";
  static final String CANCELLED = "cancelled";
  static final String INTERRUPTED = "interrupted";
  static final Set<String> TERMINAL = Set.of(COMPLETED, CANCELLED, INTERRUPTED);

  final String id;
  final int concurrency;
  final long createdAt;
  final JsonArray requests;
  final JsonArray results;
  String status;
  Long startedAt;
  Long finishedAt;
  int next;
  final Set<Integer> running = new HashSet<>();
  Future<Void> lastWrite = Future.succeededFuture();
  boolean writeQueued;

  private Job(String id, int concurrency, long createdAt, JsonArray requests, JsonArray results, String status) {
    this.id = id;
    this.concurrency = concurrency;
    this.createdAt = createdAt;
    this.requests = requests;
    this.results = results;
    this.status = status;
  }

  static Job create(String id, List<ChatRequest> requests, int concurrency) {
    JsonArray bodies = new JsonArray();
    JsonArray results = new JsonArray();
    for (int i = 0; i < requests.size(); i++) {
      ChatRequest r = requests.get(i);
      bodies.add(new JsonObject().put("model", r.model()).put("messages", r.messages()).put("max_tokens", r.maxTokens()));
      results.add(new JsonObject().put("index", i).put("status", "pending"));
    }
    return new Job(id, concurrency, System.currentTimeMillis() / 1000, bodies, results, QUEUED);
  }

  /** A job read back from the store. One that was queued or running when its process stopped is interrupted. */
  static Job restore(JsonObject stored) {
    Job job = new Job(stored.getString("id"), stored.getInteger("concurrency", 1), stored.getLong("created_at", 0L),
        stored.getJsonArray("requests", new JsonArray()), stored.getJsonArray("results", new JsonArray()),
        stored.getString("status", INTERRUPTED));
    job.startedAt = stored.getLong("started_at");
    job.finishedAt = stored.getLong("finished_at");
    if (!TERMINAL.contains(job.status)) {
      job.status = INTERRUPTED;
      job.finishedAt = System.currentTimeMillis() / 1000;
      for (Object r : job.results) {
        JsonObject result = (JsonObject) r;
        if ("pending".equals(result.getString("status")) || RUNNING.equals(result.getString("status"))) {
          result.put("status", INTERRUPTED);
        }
      }
    }
    job.next = job.requests.size();
    return job;
  }

  boolean finished() {
    return TERMINAL.contains(status);
  }

  ChatRequest request(int index) {
    JsonObject body = requests.getJsonObject(index);
    return new ChatRequest(id + "-" + index, body.getString("model"), body.getJsonArray("messages"),
        body.getInteger("max_tokens"), false, false);
  }

  void record(int index, String itemStatus, JsonObject details) {
    running.remove(index);
    results.getJsonObject(index).put("status", itemStatus).mergeIn(details);
  }

  void fail(int index, ApiException error) {
    record(index, "error", new JsonObject().put("status_code", error.status()).put("error", error.errorObject()));
  }

  JsonObject progress() {
    int done = 0;
    int succeeded = 0;
    int failed = 0;
    int cancelled = 0;
    for (Object r : results) {
      switch (((JsonObject) r).getString("status")) {
        case "ok" -> { done++; succeeded++; }
        case "error" -> { done++; failed++; }
        case CANCELLED, INTERRUPTED -> cancelled++;
        default -> { }
      }
    }
    return new JsonObject().put("total", results.size()).put("done", done).put("succeeded", succeeded)
        .put("failed", failed).put("cancelled", cancelled).put("running", running.size());
  }

  /** The job as clients see it. */
  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("object", "job")
        .put("status", status)
        .put("created_at", createdAt)
        .put("started_at", startedAt)
        .put("finished_at", finishedAt)
        .put("concurrency", concurrency)
        .put("progress", progress())
        .put("results", results.copy());
  }

  /** The job as it is stored: what clients see plus the requests, so it could be inspected or re-run. */
  JsonObject toStored() {
    return toJson().put("requests", requests.copy());
  }

  JsonObject event(JsonObject item) {
    JsonObject event = new JsonObject().put("id", id).put("object", "job.progress").put("status", status)
        .put("progress", progress());
    return item == null ? event : event.put("item", item);
  }
}
