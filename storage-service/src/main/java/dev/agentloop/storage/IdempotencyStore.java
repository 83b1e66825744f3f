package dev.agentloop.storage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Idempotency keys, whatever holds them: per owner, a key with the hash of its request, either
 * reserved (a request runs; until {@code lockMs} passes) or completed (its recorded response,
 * until its time to live passes). Writes record their key with their own effect (see
 * {@link KeyedWrite}); this is what stands outside a write: reserving, releasing, recording a
 * response that has no other write, and expiry. Every future completes on the caller's context.
 */
interface IdempotencyStore {

  Future<Void> start();

  /**
   * Reserves the key for a request: {@code {"state":"reserved"}}; or {@code {"state":"completed",
   * "status","body"}} when a request with the same hash completed. Fails with 409 while another holds
   * it, 422 for another hash, 429 past the owner's cap ({@link KeyedWrite}).
   */
  Future<JsonObject> begin(String owner, String key, String hash, long lockMs);

  /** Frees the reservation of a request of {@code hash} (never a completed key): its write did not happen. */
  Future<Boolean> release(String owner, String key, String hash);

  /** Records the response of a request that stores nothing else: the recorded response ({@link KeyedWrite#recorded}). */
  Future<JsonObject> complete(KeyedWrite write);

  /** Forgets keys past their time; answers how many. */
  Future<Integer> sweep();

  Future<Void> close();
}
