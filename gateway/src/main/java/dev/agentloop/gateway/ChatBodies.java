package dev.agentloop.gateway;

import dev.agentloop.common.openai.ChatRequest;
import dev.agentloop.common.openai.ChatRoutes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * How the gateway's own routes (fan-out, jobs, agent runs) read JSON bodies and the chat requests
 * inside them: the same checks and limits as /v1/chat/completions, in one place.
 */
public final class ChatBodies {

  private final int maxTokensLimit;

  public ChatBodies(int maxTokensLimit) {
    this.maxTokensLimit = maxTokensLimit;
  }

  public static ChatBodies from(JsonObject root) {
    return new ChatBodies(GatewayConfig.from(root).maxTokensLimit());
  }

  /** The body as a JSON object, or a 400 in OpenAI's words. */
  public JsonObject json(RoutingContext ctx) {
    return ChatRoutes.jsonBody(ctx);
  }

  /** A checked chat request ({@code model}, {@code messages}, {@code max_tokens}...), or a 400. */
  public ChatRequest chat(JsonObject body, String id) {
    return ChatRequest.fromHttp(body, id, maxTokensLimit);
  }
}
