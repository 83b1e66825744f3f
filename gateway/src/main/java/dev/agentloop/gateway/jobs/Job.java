package dev.agentloop.gateway.jobs;

import dev.agentloop.front.guards.Admission;
import dev.agentloop.contract.chat.ChatOptions;
import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A job this process runs, while it runs: what launching its items needs (the requests, the next
 * index, the items in flight), its counters and its watchers. Results are not kept: each goes to
 * storage as its item ends. Owned by the jobs verticle's event loop: no field is touched from
 * anywhere else.
 */
final class Job {

  static final String QUEUED = "queued";
  static final String RUNNING = "running";
  static final String COMPLETED = "completed";
  static final String CANCELLED = "cancelled";
  static final String INTERRUPTED = "interrupted";
  static final Set<String> TERMINAL = Set.of(COMPLETED, CANCELLED, INTERRUPTED);

  final String id;
  /** The owner id of the key that created it. */
  final String owner;
  final int concurrency;
  final long createdAt = System.currentTimeMillis() / 1000;
  private final int total;
  /** The requests not launched yet are all this needs: dropped once the last item has started. */
  private JsonArray requests;
  final Admission.Permit permit;
  String status = QUEUED;
  Long startedAt;
  Long finishedAt;
  int next;
  /** Items whose model call is in flight. */
  final Set<Integer> running = new HashSet<>();
  /** Results being written to storage: their items still hold a place under {@link #concurrency}. */
  int writing;
  int succeeded;
  int failed;
  /** Its last state is being stored; then it leaves memory. */
  boolean finalizing;
  private long version;
  final List<JobWatch> watchers = new ArrayList<>();

  Job(String id, String owner, List<ChatRequest> requests, int concurrency, Admission.Permit permit) {
    this.id = id;
    this.owner = owner;
    this.concurrency = concurrency;
    this.permit = permit;
    this.total = requests.size();
    this.requests = new JsonArray();
    requests.forEach(r -> this.requests.add(body(r)));
  }

  /** An item's request as stored: its bus form (model, messages, max_tokens, tools, format, stop, seed, n) without the id. */
  static JsonObject body(ChatRequest request) {
    JsonObject body = request.toBus();
    body.remove("id");
    return body;
  }

  int total() {
    return total;
  }

  boolean finished() {
    return TERMINAL.contains(status);
  }

  /** Whether another item may start: the job runs, items remain, and fewer than concurrency are in flight or being written. */
  boolean canLaunch() {
    return RUNNING.equals(status) && next < total() && running.size() + writing < concurrency;
  }

  /** Every item has ended and its result is stored, and the job has not finished yet. */
  boolean allEnded() {
    return RUNNING.equals(status) && next >= total() && running.isEmpty() && writing == 0;
  }

  /** The request of the next item, which starts now. */
  ChatRequest launchNext() {
    int index = next++;
    JsonObject body = requests.getJsonObject(index);
    if (next >= total) {
      requests = null;
    }
    running.add(index);
    return new ChatRequest(itemRequestId(index), body.getString("model"), body.getJsonArray("messages"),
        body.getInteger("max_tokens"), false, false, null, ChatOptions.from(body), body.getInteger("n", 1));
  }

  String itemRequestId(int index) {
    return id + "-" + index;
  }

  void finish(String terminal) {
    status = terminal;
    finishedAt = System.currentTimeMillis() / 1000;
    running.clear();
    next = total;
    requests = null;
  }

  JsonObject progress() {
    int done = succeeded + failed;
    return new JsonObject().put("total", total()).put("done", done).put("succeeded", succeeded).put("failed", failed)
        .put("cancelled", finished() ? total() - done : 0).put("running", running.size());
  }

  /** The state for storage, with a version one higher than the last: stored states never go backwards. */
  JsonObject state() {
    return new JsonObject().put("version", ++version).put("status", status).put("started_at", startedAt)
        .put("finished_at", finishedAt).put("progress", progress());
  }

  /** The header for storage: what the job is, apart from its state (before any item started). */
  JsonObject header(String node, String incarnation) {
    return new JsonObject().put("id", id).put("owner", owner).put("node", node).put("incarnation", incarnation)
        .put("created_at", createdAt)
        .put("concurrency", concurrency).put("requests", requests);
  }

  /** The job as clients see it, without results. */
  JsonObject view() {
    return new JsonObject().put("id", id).put("object", "job").put("status", status).put("created_at", createdAt)
        .put("started_at", startedAt).put("finished_at", finishedAt).put("concurrency", concurrency)
        .put("progress", progress());
  }

  JsonObject event() {
    return new JsonObject().put("id", id).put("object", "job.progress").put("status", status).put("progress", progress());
  }

  /**
   * A page of results from storage as this process knows them now: an item storage has no result for
   * is running once started, and ends as the job ended.
   */
  JsonArray overlay(JsonArray page) {
    JsonArray out = new JsonArray();
    for (Object r : page) {
      JsonObject result = (JsonObject) r;
      int index = result.getInteger("index");
      if (result.size() == 2 && !"ok".equals(result.getString("status")) && !"error".equals(result.getString("status"))) {
        String shown = finished() && !COMPLETED.equals(status) ? status : index < next ? RUNNING : "pending";
        result = new JsonObject().put("index", index).put("status", shown);
      }
      out.add(result);
    }
    return out;
  }
}
