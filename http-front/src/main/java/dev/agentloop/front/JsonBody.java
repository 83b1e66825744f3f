package dev.agentloop.front;

import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A request's JSON body, checked (depth, syntax, an object) with OpenAI's 400s, and parsed once per
 * request: kept on the routing context, so what else reads it (the idempotency hash) costs nothing more.
 */
public final class JsonBody {

  private static final String KEY = "agentloop.body";

  private JsonBody() {
  }

  /** The body as a JSON object, or a 400 in OpenAI's words. */
  public static JsonObject of(RoutingContext ctx, HttpLimits limits) {
    JsonObject parsed = parsed(ctx);
    if (parsed != null) {
      return parsed;
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw ApiException.badRequest("We could not parse the JSON body of your request. The body is empty.", null);
    }
    if (HttpLimits.jsonDepth(body, limits.maxJsonDepth()) > limits.maxJsonDepth()) {
      throw ApiException.badRequest("The JSON body is nested more than " + limits.maxJsonDepth() + " levels deep.",
          null, "json_too_deep");
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiException.badRequest("We could not parse the JSON body of your request. (HINT: This likely means you "
          + "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null);
    }
    if (!(value instanceof JsonObject json)) {
      throw ApiException.badRequest("The request body must be a JSON object.", null);
    }
    ctx.put(KEY, json);
    return json;
  }

  /** The body {@link #of} parsed for this request, or null before it did. */
  public static JsonObject parsed(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
