package dev.agentloop.front.openai;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Embeddings;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.front.HttpErrors;
import dev.agentloop.front.JsonBody;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * OpenAI's {@code POST /v1/embeddings} over a {@link ChatService}: the body parsed with the front's
 * limits, the request admitted (kind {@code embeddings}), the fields the model needs sent on, and
 * the model's answer written as it came (JSON text made beside the vectors). The model's side checks
 * the fields, so a bus request and an HTTP one get the same 400s.
 */
final class EmbeddingRoutes {

  /** The fields of OpenAI's request that reach the model; the others are tolerated and dropped. */
  private static final List<String> FIELDS = List.of("model", "input", "dimensions", "encoding_format");

  private final ChatService service;
  private final HttpLimits limits;
  private final ChatRoutes.StreamAdmission admission;

  EmbeddingRoutes(ChatService service, HttpLimits limits, ChatRoutes.StreamAdmission admission) {
    this.service = service;
    this.limits = limits;
    this.admission = admission;
  }

  void embed(RoutingContext ctx) {
    JsonObject request = new JsonObject();
    Runnable release;
    try {
      JsonObject body = JsonBody.of(ctx, limits);
      for (String field : FIELDS) {
        if (body.containsKey(field)) {
          request.put(field, body.getValue(field));
        }
      }
      Object model = request.getValue("model");
      if (model == null) {
        throw ApiException.badRequest("Missing required parameter: 'model'.", "model", "missing_required_parameter");
      }
      if (!(model instanceof String)) {
        throw ApiException.badRequest("Invalid type for 'model': expected a string.", "model", "invalid_type");
      }
      release = admission.admit(ctx);
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    HttpServerResponse response = ctx.response();
    service.embed(request).onComplete(ar -> {
      release.run();
      if (response.ended() || response.closed()) {
        return;
      }
      if (ar.failed()) {
        ctx.fail(HttpErrors.forClient(ar.cause(), "llm-service"));
        return;
      }
      Embeddings answer = ar.result();
      response.putHeader("content-type", "application/json").putHeader(ChatRoutes.MODEL_HEADER, answer.model())
          .end(answer.body());
    });
  }
}
