package dev.agentloop.gateway.idempotency;

import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.front.guards.Owner;
import dev.agentloop.gateway.storage.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The {@code Idempotency-Key} header of the gateway's write routes, as Stripe and the IETF draft
 * define it: per API key (the request's {@link Owner}), the same key with the same request (route
 * and canonical body, {@link RequestHash}) answers the first response again, with
 * {@value #REPLAYED}{@code : true}; with another request it is a 422
 * ({@code idempotency_key_reused}); while the first request still runs, a 409
 * ({@code idempotency_key_in_progress}, with Retry-After). The storage service keeps the keys and
 * records each one with its write ({@link Attempt}).
 */
public final class Idempotency {

  public static final String HEADER = "Idempotency-Key";
  public static final String REPLAYED = "Idempotent-Replayed";

  /** Bodies larger than this are hashed on a worker thread: a 1 MiB body takes some 5 ms. */
  static final int HASH_ON_LOOP_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final StorageClient storage;
  private final IdempotencyConfig config;

  public Idempotency(Vertx vertx, StorageClient storage, IdempotencyConfig config) {
    this.vertx = vertx;
    this.storage = storage;
    this.config = config;
  }

  /** The request's key, checked (1 to 255 printable ASCII characters, once), or null; else a 400. */
  public static String key(RoutingContext ctx) {
    List<String> values = ctx.request().headers().getAll(HEADER);
    if (values.isEmpty()) {
      return null;
    }
    String key = values.get(0);
    if (values.size() > 1 || key.isEmpty() || key.length() > 255 || key.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
      throw ApiException.badRequest("Invalid Idempotency-Key header: expected one key of 1 to 255 printable ASCII "
          + "characters.", HEADER, "invalid_idempotency_key");
    }
    return key;
  }

  /**
   * Reserves the request's key for {@code body} sent to {@code route} (e.g. {@code "POST /v1/jobs"}):
   * an attempt that holds it, or one whose {@link Attempt#replay} is the first response. Without a
   * key, {@link Attempt#NONE}. Fails with the 400, 409, 422 or 429 of the key.
   */
  public Future<Attempt> begin(RoutingContext ctx, String route, JsonObject body) {
    String key;
    try {
      key = key(ctx);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    if (key == null) {
      return Future.succeededFuture(Attempt.NONE);
    }
    String owner = Owner.of(ctx).id();
    Future<String> hash = ctx.body().length() > HASH_ON_LOOP_BYTES
        ? vertx.executeBlocking(() -> RequestHash.of(route, body), false)
        : Future.succeededFuture(RequestHash.of(route, body));
    return hash.compose(hashed -> {
      Attempt attempt = new Attempt(storage, owner, key, hashed, config.ttlMs());
      return storage.request(Addresses.STORAGE_IDEMPOTENCY_BEGIN, new JsonObject().put("owner", owner)
              .put("key", key).put("hash", hashed).put("lock_ms", config.lockMs()))
          .map(answer -> "completed".equals(answer.getString("state"))
              ? attempt.replaying(new JsonObject().put("status", answer.getInteger("status", 200))
                  .put("body", answer.getJsonObject("body")).put("replayed", true))
              : attempt);
    });
  }

  /** A recorded response ({@code {"status","body","replayed"}}) as the HTTP answer. */
  public static void send(RoutingContext ctx, JsonObject recorded) {
    if (recorded.getBoolean("replayed", false)) {
      ctx.response().putHeader(REPLAYED, "true");
    }
    JsonObject body = recorded.getJsonObject("body");
    ctx.response().setStatusCode(recorded.getInteger("status", 200)).putHeader("content-type", "application/json")
        .end(body == null ? "{}" : body.encode());
  }
}
