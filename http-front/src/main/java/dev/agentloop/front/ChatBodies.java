package dev.agentloop.front;

import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * How the gateway's own routes (fan-out, jobs, agent runs) read JSON bodies and the chat requests
 * inside them: the same checks and limits as /v1/chat/completions, in one place.
 */
public final class ChatBodies {

  private final HttpLimits limits;

  public ChatBodies(HttpLimits limits) {
    this.limits = limits;
  }

  /** The body as a JSON object, or a 400 in OpenAI's words. */
  public JsonObject json(RoutingContext ctx) {
    return JsonBody.of(ctx, limits);
  }

  /** A 400 naming {@code param} when {@code text} is longer than a message may be. */
  public void checkLength(String text, String param) {
    ChatRequest.checkLength(text, limits.maxMessageChars(), param);
  }

  /** A checked chat request ({@code model}, {@code messages}, {@code max_tokens}...), or a 400. */
  public ChatRequest chat(JsonObject body, String id) {
    return ChatRequest.fromHttp(body, id, limits);
  }
}
