package dev.agentloop.front;

import dev.agentloop.contract.ApiException;
import io.vertx.core.buffer.Buffer;

/**
 * How one wire format writes an error body. The status and the headers are the same for every
 * format ({@link HttpErrors} sets them); only the JSON differs between APIs.
 */
@FunctionalInterface
public interface ErrorFormat {

  /** OpenAI's envelope: {@code {"error":{"message","type","param","code"}}}. */
  ErrorFormat OPENAI = error -> error.toJson().toBuffer();

  /** The body of the response for {@code error}, served as {@code application/json}. */
  Buffer body(ApiException error);
}
