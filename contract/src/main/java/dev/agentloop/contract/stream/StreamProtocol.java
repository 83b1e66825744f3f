package dev.agentloop.contract.stream;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The token-stream protocol over the event bus: a reply chain, so no consumer is ever registered
 * per stream and every hop goes straight back to the node that asked.
 *
 * <pre>
 * consumer                         producer
 *   request(address, chat request) ->
 *                                  <- reply {"tokens":[...]}                 (expects an answer)
 *   replyAndRequest {"ack":true}   ->
 *                                  <- reply {"tokens":[...]}
 *   ...
 *                                  <- reply {"tokens":[...],"end":{"finish_reason","usage"}}   terminal
 *                                  or  fail(status, error JSON)                                   terminal
 *   reply {"cancel":true}          ->  (instead of an ack: the producer stops)
 * </pre>
 *
 * A batch's entries are text tokens (strings) or events (JSON objects, e.g. an agent run's steps or a
 * job's progress), delivered in order; a later version makes every entry a typed object.
 *
 * <p>Flow control: the producer has at most one batch in flight and buffers at most
 * {@code max_batch_tokens} entries (and, when it is given one, a size budget) meanwhile, then stops
 * producing until the next ack. The consumer withholds the ack while its own sink (an HTTP response)
 * is full. A cancel is also published on the cancel address with the stream id, which reaches a
 * producer waiting for its next entry.
 */
public final class StreamProtocol {

  public static final String TOKENS = "tokens";
  public static final String END = "end";
  public static final String FINISH_REASON = "finish_reason";
  public static final String USAGE = "usage";
  public static final JsonObject ACK = new JsonObject().put("ack", true);
  public static final JsonObject CANCEL = new JsonObject().put("cancel", true);

  private StreamProtocol() {
  }

  public static JsonObject batch(JsonArray tokens) {
    return new JsonObject().put(TOKENS, tokens);
  }

  public static JsonObject lastBatch(JsonArray tokens, String finishReason, JsonObject usage) {
    return new JsonObject().put(TOKENS, tokens)
        .put(END, new JsonObject().put(FINISH_REASON, finishReason).put(USAGE, usage));
  }

  public static boolean isCancel(Object body) {
    return body instanceof JsonObject json && Boolean.TRUE.equals(json.getValue("cancel"));
  }

  public static DeliveryOptions timeout(long millis) {
    return new DeliveryOptions().setSendTimeout(Math.max(1, millis));
  }
}
