package dev.agentloop.contract.stream;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The token-stream protocol over the event bus: a reply chain, so no consumer is ever registered
 * per stream and every hop goes straight back to the node that asked.
 *
 * <pre>
 * consumer                         producer
 *   request(address, chat request) ->
 *                                  <- reply {"d":[entry...]}                  (expects an answer)
 *   replyAndRequest {"ack":true}   ->
 *                                  <- reply {"d":[entry...]}
 *   ...
 *                                  <- reply {"d":[entry...],"end":{"finish_reason","usage"}}   terminal
 *                                  or  fail(status, error JSON)                                   terminal
 *   reply {"cancel":true}          ->  (instead of an ack: the producer stops)
 * </pre>
 *
 * <p>A batch's {@code d} is a list of typed entries (see {@link Delta}, encoded by {@link DeltaCodec}),
 * each a JSON array whose first element names its kind:
 * <ul>
 *   <li>{@code ["t", text]}: a piece of the answer's text;</li>
 *   <li>{@code ["e", {...}]}: a JSON event (an agent run's step, a job's progress).</li>
 * </ul>
 * Reserved for the next kinds: a choice index as an optional last element (absent means choice 0,
 * e.g. {@code ["t", text, 1]}), a tool-call start {@code ["s", index, id, name]} and an argument
 * fragment {@code ["a", index, fragment]}. A consumer rejects a batch with an unknown kind, a wrong
 * element or more than {@link #MAX_BATCH_ENTRIES} entries as a 502 and cancels the producer.
 *
 * <p>Flow control: the producer has at most one batch in flight and buffers at most
 * {@code max_batch_tokens} entries (and, when it is given one, a size budget) meanwhile, then stops
 * producing until the next ack. The consumer withholds the ack while it is paused (its own sink, an
 * HTTP response, is full). A cancel is also published on the cancel address with the stream id, which
 * reaches a producer waiting for its next entry.
 */
public final class StreamProtocol {

  public static final String DELTAS = "d";
  public static final String END = "end";
  public static final String FINISH_REASON = "finish_reason";
  public static final String USAGE = "usage";
  /** The most entries one batch may carry: the ceiling of {@code llm.stream.max_batch_tokens}. */
  public static final int MAX_BATCH_ENTRIES = 65_536;
  public static final JsonObject ACK = new JsonObject().put("ack", true);
  public static final JsonObject CANCEL = new JsonObject().put("cancel", true);

  private StreamProtocol() {
  }

  /** One decoded batch: its entries and, for the terminal one, its end. */
  public record Batch(List<Delta> deltas, StreamEnd end) {
  }

  public static JsonObject batch(List<Delta> deltas) {
    return new JsonObject().put(DELTAS, DeltaCodec.encodeAll(deltas));
  }

  public static JsonObject lastBatch(List<Delta> deltas, String finishReason, JsonObject usage) {
    return batch(deltas).put(END, end(finishReason, usage));
  }

  static JsonObject end(String finishReason, JsonObject usage) {
    return new JsonObject().put(FINISH_REASON, finishReason).put(USAGE, usage);
  }

  /** Decodes a batch message; a {@link DeltaCodec.MalformedBatch} says what is wrong with it. */
  public static Batch decode(Object body, int maxEntries) {
    if (!(body instanceof JsonObject json)) {
      throw new DeltaCodec.MalformedBatch("the batch is not a JSON object");
    }
    List<Delta> deltas = DeltaCodec.decodeAll(json.getValue(DELTAS), maxEntries);
    Object end = json.getValue(END);
    if (end == null) {
      return new Batch(deltas, null);
    }
    if (!(end instanceof JsonObject terminal)) {
      throw new DeltaCodec.MalformedBatch("`end` is not an object");
    }
    Object reason = terminal.getValue(FINISH_REASON);
    Object usage = terminal.getValue(USAGE);
    if ((reason != null && !(reason instanceof String)) || (usage != null && !(usage instanceof JsonObject))) {
      throw new DeltaCodec.MalformedBatch("`end` needs a string finish_reason and an object usage");
    }
    return new Batch(deltas, new StreamEnd(reason == null ? "stop" : (String) reason,
        usage == null ? new JsonObject() : (JsonObject) usage));
  }

  static boolean isTerminal(Object body) {
    return body instanceof JsonObject json && json.getValue(END) != null;
  }

  public static boolean isCancel(Object body) {
    return body instanceof JsonObject json && Boolean.TRUE.equals(json.getValue("cancel"));
  }

  public static DeliveryOptions timeout(long millis) {
    return new DeliveryOptions().setSendTimeout(Math.max(1, millis));
  }
}
