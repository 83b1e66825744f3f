package dev.agentloop.gateway.idempotency;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.gateway.storage.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request under an idempotency key it holds (or {@link #NONE}, a request without one). Its
 * write carries {@link #toJson} as {@code idempotency}, so the storage service records the key with
 * the write itself. A request that ends without writing releases the key at once; one whose write
 * failed with a 4xx wrote nothing and releases it too; one whose write failed otherwise (a timeout,
 * a 5xx) may still commit, so its key stays reserved until the lock time passes, and a retry then
 * finds either the recorded response or a free key.
 */
public final class Attempt {

  private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);
  public static final Attempt NONE = new Attempt(null, null, null, null, 0);

  private final StorageClient storage;
  private final String owner;
  private final String key;
  private final String hash;
  private final long ttlMs;
  private JsonObject replay;

  Attempt(StorageClient storage, String owner, String key, String hash, long ttlMs) {
    this.storage = storage;
    this.owner = owner;
    this.key = key;
    this.hash = hash;
    this.ttlMs = ttlMs;
  }

  Attempt replaying(JsonObject recorded) {
    this.replay = recorded;
    return this;
  }

  public boolean keyed() {
    return key != null;
  }

  /** The first response of this key ({@code {"status","body","replayed":true}}), or null: this request runs. */
  public JsonObject replay() {
    return replay;
  }

  /** What a write records the key with: {@code {"owner","key","hash","ttl_ms"}}, then its status and body. */
  public JsonObject toJson() {
    return new JsonObject().put("owner", owner).put("key", key).put("hash", hash).put("ttl_ms", ttlMs);
  }

  /**
   * Runs {@code call} with the {@code idempotency} of a write that records {@code status} and
   * {@code body} (null: the write's own reply is the body), or with null without a key. Answers the
   * recorded response {@code {"status","body","replayed"}}: for a keyed write the storage's reply,
   * otherwise {@code status} with the reply as body.
   */
  public Future<JsonObject> write(int status, JsonObject body, Function<JsonObject, Future<JsonObject>> call) {
    if (!keyed()) {
      return call.apply(null).map(reply -> new JsonObject().put("status", status).put("body", reply)
          .put("replayed", false));
    }
    JsonObject idempotency = toJson().put("status", status);
    if (body != null) {
      idempotency.put("body", body);
    }
    return call.apply(idempotency).recover(failure -> failed(failure).transform(v -> Future.failedFuture(failure)));
  }

  /**
   * This request ends without writing: its key is free again once the returned future completes
   * (it never fails: a key that could not be released frees itself after the lock time). Answer the
   * client after it, so a retry that follows the answer finds the key free.
   */
  public Future<Void> release() {
    if (!keyed()) {
      return Future.succeededFuture();
    }
    return storage.request(Addresses.STORAGE_IDEMPOTENCY_RELEASE, new JsonObject().put("owner", owner).put("key", key)
            .put("hash", hash))
        .<Void>mapEmpty()
        .otherwise(e -> {
          LOG.debug("idempotency: key not released ({}); it frees itself after the lock time", e.getMessage());
          return null;
        });
  }

  /** The write failed: a 4xx wrote nothing, so the key is released; otherwise it waits for its lock time. */
  public Future<Void> failed(Throwable failure) {
    ApiException error = ApiException.from(failure, Services.STORAGE_SERVICE);
    return error.status() < 500 ? release() : Future.succeededFuture();
  }
}
