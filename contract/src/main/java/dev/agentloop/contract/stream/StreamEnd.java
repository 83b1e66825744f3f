package dev.agentloop.contract.stream;

import io.vertx.core.json.JsonObject;

/** The terminal message of a successful stream. */
public record StreamEnd(String finishReason, JsonObject usage) {
}
