package dev.agentloop.contract.chat;

import io.vertx.core.buffer.Buffer;

/**
 * An embeddings answer: the OpenAI response body as JSON text (built where the vectors were made,
 * so no front encodes millions of floats on its event loop), the model that made it, how many
 * inputs it embedded and the prompt tokens it counted.
 */
public record Embeddings(String model, Buffer body, int inputs, int promptTokens) {
}
