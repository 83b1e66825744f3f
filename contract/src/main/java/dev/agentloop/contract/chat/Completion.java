package dev.agentloop.contract.chat;

import io.vertx.core.json.JsonObject;

/** A whole answer: the text, why it ended, the token counts, and which model produced it. */
public record Completion(String model, String content, String finishReason, JsonObject usage) {
}
