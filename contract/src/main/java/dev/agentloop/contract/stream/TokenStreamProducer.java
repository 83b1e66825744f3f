package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The producing end of a token stream (see {@link StreamProtocol}). Entries (text tokens, or JSON
 * events with a weight, e.g. their size) written while a batch is in flight are buffered and leave
 * together with the next ack; {@link #writeQueueFull()} (the entry count or the weight at its bound)
 * tells the producer to stop until {@link #drainHandler} runs, so at most one batch is in flight and
 * one buffered. Exactly one terminal message is ever sent.
 */
public final class TokenStreamProducer {

  private final DeliveryOptions ackTimeout;
  private final int maxBatch;
  private final long maxWeight;
  private long weight;
  private final Context context;
  private boolean flushScheduled;
  private boolean needsDrain;
  private Message<?> replyTo;
  private JsonArray buffer = new JsonArray();
  private JsonObject end;
  private ApiException error;
  private boolean closed;
  private Runnable drainHandler;
  private Runnable goneHandler;
  private final Promise<Void> whenClosed = Promise.promise();

  public TokenStreamProducer(Message<?> request, int maxBatch, long ackTimeoutMs) {
    this(request, maxBatch, Long.MAX_VALUE, ackTimeoutMs);
  }

  /** {@code maxWeight} bounds the summed weight of the buffered events as {@code maxBatch} bounds their number. */
  public TokenStreamProducer(Message<?> request, int maxBatch, long maxWeight, long ackTimeoutMs) {
    this.replyTo = request;
    this.maxBatch = Math.max(1, maxBatch);
    this.maxWeight = Math.max(1, maxWeight);
    this.ackTimeout = StreamProtocol.timeout(ackTimeoutMs);
    this.context = Vertx.currentContext();
  }

  /** Runs when the consumer cancels, times out or disappears; the generator must stop. */
  public TokenStreamProducer goneHandler(Runnable handler) {
    this.goneHandler = handler;
    return this;
  }

  public TokenStreamProducer drainHandler(Runnable handler) {
    this.drainHandler = handler;
    return this;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Completes once the stream is over: terminal message sent, cancelled, or the consumer gone. */
  public Future<Void> closed() {
    return whenClosed.future();
  }

  private void close() {
    closed = true;
    whenClosed.tryComplete();
  }

  public boolean writeQueueFull() {
    return buffer.size() >= maxBatch || weight >= maxWeight;
  }

  /** The summed weight of the events buffered now (not yet handed to the consumer). */
  public long bufferedWeight() {
    return weight;
  }

  public void write(String token) {
    add(token, 0);
  }

  /** Writes a JSON event; {@code weight} counts against the weight bound (e.g. its size in bytes). */
  public void write(JsonObject event, long weight) {
    add(event, weight);
  }

  private void add(Object entry, long entryWeight) {
    if (closed || end != null || error != null) {
      return;
    }
    buffer.add(entry);
    weight += entryWeight;
    if (writeQueueFull()) {
      needsDrain = true;
    }
    scheduleFlush();
  }

  public void end(String finishReason, JsonObject usage) {
    if (closed || end != null || error != null) {
      return;
    }
    end = new JsonObject().put(StreamProtocol.FINISH_REASON, finishReason).put(StreamProtocol.USAGE, usage);
    scheduleFlush();
  }

  /**
   * Flushes once the current event-loop task is over, so whatever the generator produces in one
   * task leaves as one batch: a zero-delay model's whole answer is a single terminal message, and a
   * paced model's token still leaves within microseconds of being produced.
   */
  private void scheduleFlush() {
    if (context == null) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> {
        flushScheduled = false;
        flush();
      });
    }
  }

  public void fail(ApiException failure) {
    if (closed || end != null || error != null) {
      return;
    }
    error = failure;
    flush();
  }

  /** Stops without a terminal message: the consumer asked for it (published cancel). */
  public void cancelled() {
    if (!closed) {
      close();
      buffer = new JsonArray();
      weight = 0;
      replyTo = null;
    }
  }

  private void flush() {
    if (closed || replyTo == null) {
      return;
    }
    Message<?> target = replyTo;
    if (error != null) {
      replyTo = null;
      close();
      error.failReply(target);
      return;
    }
    if (end != null) {
      replyTo = null;
      close();
      JsonObject last = new JsonObject().put(StreamProtocol.TOKENS, buffer).put(StreamProtocol.END, end);
      buffer = new JsonArray();
      weight = 0;
      target.reply(last);
      return;
    }
    if (buffer.isEmpty()) {
      return;
    }
    replyTo = null;
    JsonArray tokens = buffer;
    buffer = new JsonArray();
    weight = 0;
    if (needsDrain && drainHandler != null) { // the buffer has room again: the generator may go on
      needsDrain = false;
      drainHandler.run();
    }
    target.replyAndRequest(StreamProtocol.batch(tokens), ackTimeout).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed() || StreamProtocol.isCancel(ar.result().body())) {
        close();
        buffer = new JsonArray();
        weight = 0;
        if (goneHandler != null) {
          goneHandler.run();
        }
        return;
      }
      replyTo = ar.result();
      flush();
    });
  }
}
