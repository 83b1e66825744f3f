package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.Owners;
import io.vertx.core.json.JsonObject;

/**
 * The {@code idempotency} of a write request: the owner's key, the hash of the request it stands
 * for, and the response to record with the write ({@code status}, and {@code body} unless the
 * write's own reply is the body), kept for {@code ttl_ms}. A write that carries one stores its
 * effect and the key's record together (one transaction, one record), or, when the key was
 * completed already, stores nothing and answers the recorded response.
 */
record KeyedWrite(String owner, String key, String hash, int status, JsonObject body, long ttlMs) {

  static final long MAX_TTL_MS = 30L * 24 * 3600 * 1000;
  static final long MAX_LOCK_MS = 24L * 3600 * 1000;
  static final String PARAM = "Idempotency-Key";

  /** The checked {@code idempotency} of {@code request}, or null when it has none. */
  static KeyedWrite of(JsonObject request) {
    Object value = request.getValue("idempotency");
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject json)) {
      throw ApiException.badRequest("Invalid 'idempotency': expected an object.", "idempotency", "invalid_type");
    }
    Object body = json.getValue("body");
    if (body != null && !(body instanceof JsonObject)) {
      throw ApiException.badRequest("Invalid 'idempotency.body': expected an object.", "idempotency.body",
          "invalid_type");
    }
    return new KeyedWrite(Owners.owner(json.getValue("owner"), "idempotency.owner"), key(json.getValue("key")),
        hash(json.getValue("hash")), (int) JobState.whole(json.getValue("status"), "idempotency.status", 599),
        (JsonObject) body, millis(json, "ttl_ms", MAX_TTL_MS));
  }

  /** The same, recording {@code body} as the response. */
  KeyedWrite withBody(JsonObject body) {
    return new KeyedWrite(owner, key, hash, status, body, ttlMs);
  }

  long expiresAt(long nowMs) {
    return nowMs + ttlMs;
  }

  /** What the local store writes into the record of the write. */
  JsonObject record(long nowMs) {
    return new JsonObject().put("owner", owner).put("key", key).put("hash", hash).put("status", status)
        .put("body", body).put("expires_at", expiresAt(nowMs));
  }

  /** The reply of a keyed write: the recorded response, and whether it was recorded before (a replay). */
  static JsonObject recorded(int status, JsonObject body, boolean replayed) {
    return new JsonObject().put("status", status).put("body", body).put("replayed", replayed);
  }

  static String key(Object value) {
    if (!(value instanceof String key) || key.isEmpty() || key.length() > 255
        || key.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
      throw ApiException.badRequest("Invalid idempotency key: expected 1 to 255 printable ASCII characters.", PARAM,
          "invalid_idempotency_key");
    }
    return key;
  }

  static String hash(Object value) {
    if (!(value instanceof String hash) || hash.isEmpty() || hash.length() > 128
        || hash.chars().anyMatch(c -> !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))) {
      throw ApiException.badRequest("Invalid 'hash': expected lower-case hex.", "hash", "invalid_value");
    }
    return hash;
  }

  static long millis(JsonObject json, String field, long max) {
    long value = JobState.whole(json.getValue(field), field, max);
    if (value < 1) {
      throw ApiException.badRequest("Invalid '" + field + "': expected at least 1.", field, "invalid_value");
    }
    return value;
  }

  static ApiException inProgress(long retryAfterMs) {
    return new ApiException(409, "invalid_request_error", "idempotency_key_in_progress", PARAM,
        "A request with this Idempotency-Key is still in progress; try again later.")
        .retryAfter(seconds(retryAfterMs));
  }

  static ApiException reused() {
    return new ApiException(422, "invalid_request_error", "idempotency_key_reused", PARAM,
        "This Idempotency-Key was already used with another request (a different body or route).");
  }

  static ApiException exhausted(int max, long retryAfterMs) {
    return new ApiException(429, "requests", "idempotency_keys_exhausted", PARAM, "At most " + max
        + " idempotency keys are kept per API key at once; try again once older ones expire, or send the request "
        + "without one.").retryAfter(seconds(retryAfterMs));
  }

  private static int seconds(long ms) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
  }
}
