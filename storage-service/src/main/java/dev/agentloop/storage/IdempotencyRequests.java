package dev.agentloop.storage;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.Owners;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;

/**
 * The idempotency API of the storage service ({@link Addresses}{@code .STORAGE_IDEMPOTENCY_*}): each
 * body checked (a 400 naming the field), then handed to the {@link IdempotencyStore} of the backend.
 */
final class IdempotencyRequests {

  private final IdempotencyStore keys;

  IdempotencyRequests(IdempotencyStore keys) {
    this.keys = keys;
  }

  Map<String, Function<JsonObject, Future<JsonObject>>> actions() {
    return Map.of(
        Addresses.STORAGE_IDEMPOTENCY_BEGIN, body -> keys.begin(owner(body), KeyedWrite.key(body.getValue("key")),
            KeyedWrite.hash(body.getValue("hash")), KeyedWrite.millis(body, "lock_ms", KeyedWrite.MAX_LOCK_MS)),
        Addresses.STORAGE_IDEMPOTENCY_RELEASE, body -> keys.release(owner(body), KeyedWrite.key(body.getValue("key")),
                KeyedWrite.hash(body.getValue("hash")))
            .map(released -> new JsonObject().put("released", released)),
        Addresses.STORAGE_IDEMPOTENCY_COMPLETE, this::complete);
  }

  private Future<JsonObject> complete(JsonObject body) {
    StorageVerticle.refuseNul(body);
    if (!(body.getValue("body") instanceof JsonObject)) {
      throw ApiException.badRequest("Invalid 'body': expected the response body, an object.", "body", "invalid_type");
    }
    return keys.complete(KeyedWrite.of(new JsonObject().put("idempotency", body)));
  }

  private static String owner(JsonObject body) {
    return Owners.owner(body.getValue("owner"), "owner");
  }
}
