package dev.agentloop.gateway.jobs;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.gateway.storage.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs verticle's side of the storage service's jobs API. Writes of a running job (its states,
 * its items' results) are retried with backoff while storage is unavailable, so a storage outage
 * slows a job down (its items hold their places until their results are stored) but loses nothing.
 */
final class JobStorage {

  private static final Logger LOG = LoggerFactory.getLogger(JobStorage.class);
  private static final long MAX_BACKOFF_MS = 10_000;

  private final Vertx vertx;
  private final StorageClient storage;
  private final long pageMaxBytes;
  private boolean stopped;

  JobStorage(Vertx vertx, StorageClient storage, long pageMaxBytes) {
    this.vertx = vertx;
    this.storage = storage;
    this.pageMaxBytes = pageMaxBytes;
  }

  /** No more retries: the process is stopping (the jobs it ran read back as interrupted). */
  void stop() {
    stopped = true;
  }

  /**
   * Stores the job's header. With {@code idempotency} (else null) the key is recorded with it, and
   * the reply is the recorded response ({@code {"status","body","replayed"}}): when replayed, the
   * key's first job, and this one was not stored.
   */
  Future<JsonObject> create(Job job, String node, String incarnation, JsonObject idempotency) {
    JsonObject header = job.header(node, incarnation).put("state", job.state());
    if (idempotency != null) {
      header.put("idempotency", idempotency.copy().put("body", job.view()));
    }
    return storage.request(Addresses.STORAGE_JOBS_CREATE, header);
  }

  Future<Void> update(Job job) {
    JsonObject state = job.state();
    return retrying("state of " + job.id, () -> storage.request(Addresses.STORAGE_JOBS_UPDATE,
        new JsonObject().put("id", job.id).put("state", state)));
  }

  Future<Void> record(Job job, JsonObject result, JsonObject state) {
    return retrying("result " + result.getInteger("index") + " of " + job.id, () ->
        storage.request(Addresses.STORAGE_JOBS_RECORD, new JsonObject().put("id", job.id).put("result", result)
            .put("state", state)));
  }

  /** The stored job with its first page of {@code limit} results (none with 0), if {@code owner} may see it. */
  Future<JsonObject> get(String owner, String id, int limit) {
    return storage.request(Addresses.STORAGE_JOBS_GET, new JsonObject().put("owner", owner).put("id", id)
        .put("limit", limit).put("max_bytes", pageMaxBytes));
  }

  Future<JsonObject> results(String owner, String id, int after, int limit) {
    return storage.request(Addresses.STORAGE_JOBS_RESULTS, new JsonObject().put("owner", owner).put("id", id)
        .put("after", after)
        .put("limit", limit).put("max_bytes", pageMaxBytes));
  }

  Future<Integer> interrupt(String node, String incarnation) {
    return storage.request(Addresses.STORAGE_JOBS_INTERRUPT, new JsonObject().put("node", node)
        .put("incarnation", incarnation).put("finished_at", System.currentTimeMillis() / 1000))
        .map(reply -> reply.getInteger("interrupted", 0));
  }

  Future<Integer> expire(long finishedBefore, int limit) {
    return storage.request(Addresses.STORAGE_JOBS_EXPIRE, new JsonObject().put("finished_before", finishedBefore)
        .put("limit", limit)).map(reply -> reply.getInteger("deleted", 0));
  }

  private Future<Void> retrying(String what, Supplier<Future<JsonObject>> write) {
    return attempt(what, write, 500);
  }

  private Future<Void> attempt(String what, Supplier<Future<JsonObject>> write, long delayMs) {
    return write.get().<Void>mapEmpty().recover(failure -> {
      ApiException error = ApiException.from(failure, Services.STORAGE_SERVICE);
      if (stopped || error.status() < 500) {
        LOG.error("jobs: could not store the {}: {}", what, error.getMessage());
        return Future.failedFuture(error);
      }
      LOG.warn("jobs: storing the {} failed ({}); trying again in {} ms", what, error.getMessage(), delayMs);
      return vertx.timer(delayMs, TimeUnit.MILLISECONDS)
          .compose(v -> attempt(what, write, Math.min(MAX_BACKOFF_MS, delayMs * 2)));
    });
  }
}
