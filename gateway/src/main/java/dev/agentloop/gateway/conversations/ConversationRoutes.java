package dev.agentloop.gateway.conversations;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Node;
import dev.agentloop.front.guards.Owner;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.front.HttpErrors;
import dev.agentloop.front.JsonBody;
import dev.agentloop.contract.storage.ConversationIds;
import dev.agentloop.gateway.idempotency.Idempotency;
import dev.agentloop.gateway.storage.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;

/**
 * {@code /v1/conversations}: create, list (newest first, {@code limit} and {@code after}), get with
 * one page of its messages ({@code limit} and {@code after}, a message position), delete, and
 * export ({@link ConversationExport}). Each key sees only the conversations it created (an admin
 * key sees all); another key's conversation is unknown to it (404).
 */
public final class ConversationRoutes {

  static final String ROUTE = "POST /v1/conversations";

  private final StorageClient storage;
  private final ConversationExport export;
  private final Vertx vertx;
  private final Path exportsDir;
  private final HttpLimits limits;
  private final Idempotency idempotency;
  private final Node node;

  /** Exports go to {@code exportsDir} ({@code exports} under {@code storage.data_dir}); {@code node} sweeps it once. */
  public ConversationRoutes(Vertx vertx, StorageClient storage, Path exportsDir, HttpLimits limits,
      Idempotency idempotency, Node node) {
    this.vertx = vertx;
    this.limits = limits;
    this.storage = storage;
    this.idempotency = idempotency;
    this.exportsDir = exportsDir;
    this.node = node;
    this.export = new ConversationExport(vertx, storage, exportsDir);
  }

  public void mount(Router router) {
    ConversationExport.sweep(vertx, exportsDir, node);
    router.post("/v1/conversations").handler(this::create);
    router.get("/v1/conversations").handler(this::list);
    router.get("/v1/conversations/:id").handler(this::get);
    router.delete("/v1/conversations/:id").handler(ctx -> reply(ctx, 200,
        storage.request(Addresses.STORAGE_DELETE, owned(ctx).put("id", id(ctx)))));
    router.get("/v1/conversations/:id/export").handler(ctx -> export.handle(ctx, Owner.of(ctx).scope(), id(ctx)));
  }

  /** With an {@code Idempotency-Key}, created once: the same key and body answer the first conversation again. */
  private void create(RoutingContext ctx) {
    JsonObject body = ctx.body().buffer() == null || ctx.body().length() <= 0 ? new JsonObject() : JsonBody.of(ctx, limits);
    JsonObject request = new JsonObject().put("owner", Owner.of(ctx).id());
    if (body.containsKey("title")) {
      request.put("title", body.getValue("title"));
    }
    if (body.containsKey("metadata")) {
      request.put("metadata", body.getValue("metadata"));
    }
    idempotency.begin(ctx, ROUTE, body)
        .compose(attempt -> attempt.replay() != null ? Future.succeededFuture(attempt.replay())
            : attempt.write(201, null, keyed -> storage.request(Addresses.STORAGE_CREATE,
                keyed == null ? request : request.put("idempotency", keyed))))
        .onSuccess(recorded -> Idempotency.send(ctx, recorded))
        .onFailure(HttpErrors.failWith(ctx, Services.STORAGE_SERVICE));
  }

  /** One page of messages: {@code limit} (default 100, at most 1000) after position {@code after} (default 0). */
  private void get(RoutingContext ctx) {
    JsonObject request = owned(ctx).put("id", id(ctx));
    integerParam(ctx, "limit", request);
    integerParam(ctx, "after", request);
    reply(ctx, 200, storage.request(Addresses.STORAGE_GET, request));
  }

  private static void integerParam(RoutingContext ctx, String name, JsonObject into) {
    String value = ctx.request().getParam(name);
    if (value != null) {
      try {
        into.put(name, Long.parseLong(value));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Invalid '" + name + "': expected an integer.", name, "invalid_type");
      }
    }
  }

  private void list(RoutingContext ctx) {
    JsonObject request = owned(ctx);
    integerParam(ctx, "limit", request);
    String after = ctx.request().getParam("after");
    if (after != null) {
      request.put("after", ConversationIds.require(after, "after"));
    }
    reply(ctx, 200, storage.request(Addresses.STORAGE_LIST, request));
  }

  /** A storage request that touches only what the caller's key owns (everything for an admin key). */
  private static JsonObject owned(RoutingContext ctx) {
    return new JsonObject().put("owner", Owner.of(ctx).scope());
  }

  private static String id(RoutingContext ctx) {
    return ConversationIds.require(ctx.pathParam("id"), "id");
  }

  private static void reply(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onSuccess(answer -> ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(answer.toBuffer())).onFailure(HttpErrors.failWith(ctx, Services.STORAGE_SERVICE));
  }
}
