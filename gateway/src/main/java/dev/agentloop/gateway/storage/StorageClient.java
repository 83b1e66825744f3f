package dev.agentloop.gateway.storage;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Requests to the storage-service over the bus; every failure arrives as an {@code ApiException}.
 * A package of its own, below every feature that stores (conversations, idempotency, jobs, agent).
 */
public final class StorageClient {

  static final long TIMEOUT_MS = 5_000;
  private final Vertx vertx;

  public StorageClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
        .map(Message::body)
        .recover(failure -> Future.failedFuture(ApiException.from(failure, Services.STORAGE_SERVICE)));
  }
}
