package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;

/**
 * Where a producer of deltas writes: a {@link WriteStream} of entries (stop while
 * {@link #writeQueueFull()}, go on from the drain handler), then exactly one terminal, the end with
 * its finish reason and usage or a failure. {@link #end()} is the end with {@code "stop"} and no usage.
 */
public interface DeltaSink extends WriteStream<Delta> {

  /** The terminal of a successful stream; later writes and terminals are ignored. */
  Future<Void> end(String finishReason, JsonObject usage);

  /** The terminal of a failed stream; later writes and terminals are ignored. */
  void fail(ApiException error);

  @Override
  default Future<Void> end() {
    return end("stop", new JsonObject());
  }
}
