package dev.agentloop.storage;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.JobIds;
import dev.agentloop.contract.storage.Owners;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;

/**
 * The jobs API of the storage service ({@link Addresses}{@code .STORAGE_JOBS_*}): each body checked
 * (a 400 naming the field), then handed to the {@link JobRepository} of the configured backend.
 */
final class JobRequests {

  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1_000;

  private final JobRepository jobs;

  JobRequests(JobRepository jobs) {
    this.jobs = jobs;
  }

  /** Address to action, for the storage verticle to register. */
  Map<String, Function<JsonObject, Future<JsonObject>>> actions() {
    return Map.of(
        Addresses.STORAGE_JOBS_CREATE, this::create,
        Addresses.STORAGE_JOBS_UPDATE, body -> jobs.update(id(body), JobState.from(body.getValue("state")))
            .map(v -> new JsonObject().put("id", body.getString("id"))),
        Addresses.STORAGE_JOBS_RECORD, this::record,
        Addresses.STORAGE_JOBS_GET, this::get,
        Addresses.STORAGE_JOBS_RESULTS, body -> jobs.results(StorageVerticle.scope(body), id(body), after(body),
            limit(body), maxBytes(body)),
        Addresses.STORAGE_JOBS_INTERRUPT, body -> jobs.interrupt(text(body, "node", 256), text(body, "incarnation", 64),
            JobState.whole(body.getValue("finished_at"), "finished_at", Long.MAX_VALUE))
            .map(n -> new JsonObject().put("interrupted", n)),
        Addresses.STORAGE_JOBS_EXPIRE, body -> jobs.expire(
            JobState.whole(body.getValue("finished_before"), "finished_before", Long.MAX_VALUE),
            (int) JobState.whole(body.getValue("limit"), "limit", 10_000))
            .map(n -> new JsonObject().put("deleted", n)));
  }

  private Future<JsonObject> create(JsonObject body) {
    StorageVerticle.refuseNul(body);
    if (!JobIds.valid(body.getValue("id"))) {
      throw ApiException.badRequest("Invalid 'id': expected a job id.", "id", "invalid_value");
    }
    JobState state = JobState.from(body.getValue("state"));
    if (!(body.getValue("requests") instanceof JsonArray requests) || requests.size() != state.total()) {
      throw ApiException.badRequest("Invalid 'requests': expected an array of state.progress.total requests.",
          "requests", "invalid_value");
    }
    JsonObject header = new JsonObject().put("id", body.getString("id"))
        .put("owner", Owners.owner(body.getValue("owner"), "owner")).put("node", text(body, "node", 256))
        .put("incarnation", text(body, "incarnation", 64))
        .put("created_at", JobState.whole(body.getValue("created_at"), "created_at", Long.MAX_VALUE))
        .put("concurrency", (int) JobState.whole(body.getValue("concurrency"), "concurrency", 1_000))
        .put("requests", requests);
    KeyedWrite keyed = KeyedWrite.of(body);
    if (keyed != null && keyed.body() == null) {
      throw ApiException.badRequest("Invalid 'idempotency.body': the response to record is required.",
          "idempotency.body", "invalid_value");
    }
    return jobs.create(header, state, keyed);
  }

  private Future<JsonObject> record(JsonObject body) {
    String id = id(body);
    JobState state = JobState.from(body.getValue("state"));
    if (!(body.getValue("result") instanceof JsonObject result) || !(result.getValue("index") instanceof Integer index)
        || index < 0 || index >= state.total() || !(result.getValue("status") instanceof String)) {
      throw ApiException.badRequest("Invalid 'result': expected {\"index\", \"status\", ...} of an item of the job.",
          "result", "invalid_value");
    }
    return jobs.record(id, result, state).map(v -> new JsonObject().put("id", id));
  }

  /** The job with its first page of results; with {@code "limit": 0}, the job alone. */
  private Future<JsonObject> get(JsonObject body) {
    String id = id(body);
    String owner = StorageVerticle.scope(body);
    if (Integer.valueOf(0).equals(body.getValue("limit"))) {
      return jobs.get(owner, id);
    }
    int limit = limit(body);
    long maxBytes = maxBytes(body);
    return jobs.get(owner, id).compose(job -> jobs.results(owner, id, -1, limit, maxBytes)
        .map(page -> job.put("results", page.getJsonArray("data")).put("results_has_more", page.getBoolean("has_more"))));
  }

  private static String id(JsonObject body) {
    return JobIds.require(body.getValue("id"));
  }

  private static int after(JsonObject body) {
    Object after = body.getValue("after");
    if (after == null) {
      return -1;
    }
    if (!(after instanceof Integer n) || n < -1) {
      throw ApiException.badRequest("Invalid 'after': expected an item index.", "after", "invalid_value");
    }
    return n;
  }

  private static int limit(JsonObject body) {
    Object limit = body.getValue("limit");
    if (limit == null) {
      return DEFAULT_PAGE;
    }
    if (!(limit instanceof Integer n) || n < 1 || n > MAX_PAGE) {
      throw ApiException.badRequest("Invalid 'limit': expected an integer between 1 and " + MAX_PAGE + ".", "limit",
          "invalid_value");
    }
    return n;
  }

  private static long maxBytes(JsonObject body) {
    long max = JobState.whole(body.getValue("max_bytes"), "max_bytes", Long.MAX_VALUE);
    if (max < 1) {
      throw ApiException.badRequest("Invalid 'max_bytes': expected a positive size.", "max_bytes", "invalid_value");
    }
    return max;
  }

  private static String text(JsonObject body, String key, int maxLength) {
    if (!(body.getValue(key) instanceof String value) || value.isEmpty() || value.length() > maxLength) {
      throw ApiException.badRequest("Invalid '" + key + "': expected a string of 1 to " + maxLength + " characters.",
          key, "invalid_value");
    }
    return value;
  }
}
