package dev.agentloop.gateway;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.ApiException;
import dev.agentloop.common.config.Settings;
import dev.agentloop.common.openai.ChatRoutes;
import dev.agentloop.common.openai.HttpLimits;
import dev.agentloop.common.openai.HttpErrors;
import dev.agentloop.common.storage.ConversationIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/conversations}: create, list (newest first, {@code limit} and {@code after}), get with
 * messages, delete, and export. An export is written to {@code <data_dir>/exports/} by the
 * asynchronous file system (off the event loop), sent with {@code sendFile}, then removed.
 */
final class ConversationRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ConversationRoutes.class);
  private final Vertx vertx;
  private final StorageClient storage;
  private final Path exportsDir;
  private final HttpLimits limits;

  /** {@code root} is the whole configuration; exports go under its {@code storage.data_dir}. */
  ConversationRoutes(Vertx vertx, StorageClient storage, JsonObject root, HttpLimits limits) {
    this.vertx = vertx;
    this.limits = limits;
    this.storage = storage;
    Path dataDir = Path.of(Settings.root(root).section("storage").string("data_dir", "./data"));
    this.exportsDir = dataDir.toAbsolutePath().normalize().resolve("exports");
  }

  void mount(Router router) {
    router.post("/v1/conversations").handler(this::create);
    router.get("/v1/conversations").handler(this::list);
    router.get("/v1/conversations/:id").handler(ctx -> reply(ctx, 200,
        storage.request(Addresses.STORAGE_GET, new JsonObject().put("id", id(ctx)))));
    router.delete("/v1/conversations/:id").handler(ctx -> reply(ctx, 200,
        storage.request(Addresses.STORAGE_DELETE, new JsonObject().put("id", id(ctx)))));
    router.get("/v1/conversations/:id/export").handler(this::export);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = ctx.body().buffer() == null || ctx.body().length() <= 0 ? new JsonObject() : ChatRoutes.jsonBody(ctx, limits);
    JsonObject request = new JsonObject();
    if (body.containsKey("title")) {
      request.put("title", body.getValue("title"));
    }
    if (body.containsKey("metadata")) {
      request.put("metadata", body.getValue("metadata"));
    }
    reply(ctx, 201, storage.request(Addresses.STORAGE_CREATE, request));
  }

  private void list(RoutingContext ctx) {
    JsonObject request = new JsonObject();
    String limit = ctx.request().getParam("limit");
    if (limit != null) {
      try {
        request.put("limit", Integer.parseInt(limit));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Invalid 'limit': expected an integer.", "limit", "invalid_type");
      }
    }
    String after = ctx.request().getParam("after");
    if (after != null) {
      request.put("after", ConversationIds.require(after, "after"));
    }
    reply(ctx, 200, storage.request(Addresses.STORAGE_LIST, request));
  }

  private void export(RoutingContext ctx) {
    String id = id(ctx);
    String format = ctx.request().getParam("format", "jsonl");
    storage.request(Addresses.STORAGE_EXPORT, new JsonObject().put("id", id).put("format", format))
        .compose(rendered -> {
          Path file = exportsDir.resolve(id + "-" + UUID.randomUUID() + "." + rendered.getString("extension"));
          return vertx.fileSystem().mkdirs(exportsDir.toString())
              .compose(v -> vertx.fileSystem().writeFile(file.toString(),
                  io.vertx.core.buffer.Buffer.buffer(rendered.getString("body"))))
              .compose(v -> ctx.response()
                  .putHeader("content-type", rendered.getString("content_type"))
                  .putHeader("content-disposition",
                      "attachment; filename=\"" + id + "." + rendered.getString("extension") + "\"")
                  .sendFile(file.toString())
                  .eventually(() -> vertx.fileSystem().delete(file.toString())
                      .onFailure(e -> LOG.warn("export: could not remove {}: {}", file, e.getMessage()))));
        })
        .onFailure(failure -> HttpErrors.send(ctx.response(), ApiException.from(failure, "storage-service")));
  }

  private static String id(RoutingContext ctx) {
    return ConversationIds.require(ctx.pathParam("id"), "id");
  }

  private static void reply(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.send(ctx.response(), ApiException.from(ar.cause(), "storage-service"));
      } else {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(ar.result().toBuffer());
      }
    });
  }
}
