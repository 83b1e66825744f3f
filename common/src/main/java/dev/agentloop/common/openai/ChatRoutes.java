package dev.agentloop.common.openai;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.metrics.ChatMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * OpenAI's chat-completion and model routes over a {@link ChatService}; the gateway and the mock's
 * own port serve the same wire format through this class.
 */
public final class ChatRoutes {

  /** Names the model that answered, which differs from the one asked for after a fallback. */
  public static final String MODEL_HEADER = "x-agentloop-model";

  private final ChatService service;
  private final int maxTokensLimit;
  private final ChatMetrics metrics;

  public ChatRoutes(ChatService service, int maxTokensLimit, ChatMetrics metrics) {
    this.service = service;
    this.maxTokensLimit = maxTokensLimit;
    this.metrics = metrics;
  }

  public void mount(Router router) {
    router.post("/v1/chat/completions").handler(this::chat);
    router.get("/v1/models").handler(this::models);
    router.get("/v1/models/:model").handler(this::model);
  }

  public static String newCompletionId() {
    UUID uuid = UUID.randomUUID();
    return "chatcmpl-" + Long.toHexString(uuid.getMostSignificantBits()) + Long.toHexString(uuid.getLeastSignificantBits());
  }

  /** The body as a JSON object, or a 400 in OpenAI's words. */
  public static JsonObject jsonBody(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw ApiException.badRequest("We could not parse the JSON body of your request. The body is empty.", null);
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiException.badRequest("We could not parse the JSON body of your request. (HINT: This likely means you "
          + "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw ApiException.badRequest("The request body must be a JSON object.", null);
    }
    return json;
  }

  private void chat(RoutingContext ctx) {
    long started = System.nanoTime();
    ChatRequest request;
    try {
      request = ChatRequest.fromHttp(jsonBody(ctx), newCompletionId(), maxTokensLimit);
    } catch (ApiException e) {
      metrics.error(e.status());
      HttpErrors.send(ctx.response(), e);
      return;
    }
    HttpServerResponse response = ctx.response();
    response.closeHandler(v -> {
      if (!response.ended()) {
        service.cancel(request.id());
      }
    });
    if (request.stream()) {
      service.stream(request).onComplete(ar -> {
        if (ar.failed()) {
          fail(response, ar.cause());
        } else if (response.closed()) {
          ar.result().cancel();
        } else {
          response.putHeader(MODEL_HEADER, ar.result().model());
          new SseRelay(response, ar.result(), request, request.id(), ar.result().model(), metrics, started).start();
        }
      });
    } else {
      service.complete(request).onComplete(ar -> {
        if (ar.failed()) {
          fail(response, ar.cause());
          return;
        }
        Completion answer = ar.result();
        metrics.completed(answer.model(), System.nanoTime() - started);
        response.putHeader("content-type", "application/json").putHeader(MODEL_HEADER, answer.model())
            .end(ChatWire.completion(request.id(), System.currentTimeMillis() / 1000, answer.model(), answer.content(),
                answer.finishReason(), answer.usage()).toBuffer());
      });
    }
  }

  private void fail(HttpServerResponse response, Throwable cause) {
    ApiException error = ApiException.from(cause, "llm-service");
    metrics.error(error.status());
    HttpErrors.send(response, error);
  }

  private void models(RoutingContext ctx) {
    service.models().onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.send(ctx.response(), ApiException.from(ar.cause(), "llm-service"));
        return;
      }
      ctx.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("object", "list").put("data", ar.result()).toBuffer());
    });
  }

  private void model(RoutingContext ctx) {
    String id = ctx.pathParam("model");
    service.models().onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.send(ctx.response(), ApiException.from(ar.cause(), "llm-service"));
        return;
      }
      JsonArray models = ar.result();
      for (Object model : models) {
        if (model instanceof JsonObject m && id.equals(m.getString("id"))) {
          ctx.response().putHeader("content-type", "application/json").end(m.toBuffer());
          return;
        }
      }
      HttpErrors.send(ctx.response(), ApiException.modelNotFound(id));
    });
  }
}
