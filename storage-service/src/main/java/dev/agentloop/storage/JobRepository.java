package dev.agentloop.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Background jobs, whatever holds them: a header (id, node, concurrency, the requests, the latest
 * {@link JobState}) and one result per finished item, each written once as the item ends. Every
 * future completes on the caller's context; a write completes only once it is durable. Failures are
 * {@code ApiException}s: 404 for an unknown job, 503 when the backend cannot be reached.
 *
 * <p>A job has an owner (in its header); the reads a client asks for name the owner whose jobs they
 * may touch, or {@code "*"}, and another owner's job answers exactly as an unknown one. The jobs
 * service's own writes (states, results, interrupts, expiry) name no owner.
 */
interface JobRepository {

  /** Opens the backend: builds the index (the schema is migrated with the conversations'). */
  Future<Void> start();

  /**
   * Stores a new job: {@code header} holds id, owner, node, incarnation, created_at, concurrency,
   * requests. Replies {@code {"id"}}; with {@code keyed} (else null) the key is recorded with the job
   * and the reply is the recorded response ({@link KeyedWrite#recorded}), and a key completed
   * before stores nothing and answers its first response.
   */
  Future<JsonObject> create(JsonObject header, JobState state, KeyedWrite keyed);

  /** Stores a newer state of the job; one whose version is not newer than the stored one changes nothing. */
  Future<Void> update(String id, JobState state);

  /** Stores one item's result (by its {@code index}) and the job's state after it. */
  Future<Void> record(String id, JsonObject result, JobState state);

  /** The job as clients see it (without its requests). */
  Future<JsonObject> get(String owner, String id);

  /** Results after index {@code after}, at most {@code limit} and about {@code maxBytes} (see {@link JobPages}). */
  Future<JsonObject> results(String owner, String id, int after, int limit, long maxBytes);

  /** Marks interrupted every unfinished job of {@code node} started by another incarnation; answers how many. */
  Future<Integer> interrupt(String node, String incarnation, long finishedAt);

  /** Deletes up to {@code limit} jobs finished before {@code finishedBefore} (seconds); answers how many. */
  Future<Integer> expire(long finishedBefore, int limit);

  Future<Void> close();
}
