package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The producing end of a token stream (see {@link StreamProtocol}), a {@link DeltaSink}. Entries
 * written while a batch is in flight are buffered and leave together with the next ack;
 * {@link #writeQueueFull()} (the entry count or the summed weight at its bound) tells the writer to
 * stop until the drain handler runs, so at most one batch is in flight and one buffered. Exactly one
 * terminal message is ever sent.
 *
 * <p>When the consumer cancels, times out or disappears, the gone handler runs and then the
 * exception handler, with the cause: the writer must stop. Writes after that are dropped (their
 * future fails).
 */
public final class TokenStreamProducer implements DeltaSink {

  private static final Future<Void> WRITTEN = Future.succeededFuture();
  private static final Future<Void> DROPPED = Future.failedFuture(new VertxException("The stream is closed", true));

  private final DeliveryOptions ackTimeout;
  private int maxBatch;
  private final long maxWeight;
  private long weight;
  private final Context context;
  private boolean flushScheduled;
  private boolean needsDrain;
  private Message<?> replyTo;
  private List<Delta> buffer;
  private JsonObject end;
  private ApiException error;
  private boolean closed;
  private Handler<Void> drainHandler;
  private Runnable goneHandler;
  private Handler<Throwable> exceptionHandler;
  private final Promise<Void> whenClosed = Promise.promise();

  public TokenStreamProducer(Message<?> request, int maxBatch, long ackTimeoutMs) {
    this(request, maxBatch, Long.MAX_VALUE, ackTimeoutMs);
  }

  /** {@code maxWeight} bounds the summed weight of the buffered entries as {@code maxBatch} bounds their number. */
  public TokenStreamProducer(Message<?> request, int maxBatch, long maxWeight, long ackTimeoutMs) {
    this.replyTo = request;
    this.maxBatch = bound(maxBatch);
    this.maxWeight = Math.max(1, maxWeight);
    this.ackTimeout = StreamProtocol.timeout(ackTimeoutMs);
    this.context = Vertx.currentContext();
    this.buffer = new ArrayList<>();
  }

  private static int bound(int maxBatch) {
    return Math.max(1, Math.min(maxBatch, StreamProtocol.MAX_BATCH_ENTRIES));
  }

  /** Runs when the consumer cancels, times out or disappears; the writer must stop. */
  public TokenStreamProducer goneHandler(Runnable handler) {
    this.goneHandler = handler;
    return this;
  }

  @Override
  public TokenStreamProducer drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  @Override
  public TokenStreamProducer exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  /** The most entries buffered before {@link #writeQueueFull()}; bounded by {@link StreamProtocol#MAX_BATCH_ENTRIES}. */
  @Override
  public TokenStreamProducer setWriteQueueMaxSize(int maxSize) {
    this.maxBatch = bound(maxSize);
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

  @Override
  public boolean writeQueueFull() {
    return buffer.size() >= maxBatch || weight >= maxWeight;
  }

  /** The summed weight of the entries buffered now (not yet handed to the consumer). */
  public long bufferedWeight() {
    return weight;
  }

  @Override
  public Future<Void> write(Delta delta) {
    return write(delta, 0);
  }

  /** Writes an entry; {@code weight} counts against the weight bound (e.g. an event's size in bytes). */
  public Future<Void> write(Delta delta, long entryWeight) {
    if (closed || end != null || error != null) {
      return DROPPED;
    }
    buffer.add(delta);
    weight += entryWeight;
    if (writeQueueFull()) {
      needsDrain = true;
    }
    scheduleFlush();
    return WRITTEN;
  }

  @Override
  public Future<Void> end(String finishReason, JsonObject usage) {
    if (closed || end != null || error != null) {
      return closed();
    }
    end = StreamProtocol.end(finishReason, usage);
    scheduleFlush();
    return closed();
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

  @Override
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
      drop();
      replyTo = null;
    }
  }

  private void drop() {
    buffer = List.of();
    weight = 0;
  }

  private List<Delta> take() {
    List<Delta> taken = buffer;
    buffer = new ArrayList<>();
    weight = 0;
    return taken;
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
      JsonObject last = StreamProtocol.batch(buffer).put(StreamProtocol.END, end);
      drop();
      target.reply(last);
      return;
    }
    if (buffer.isEmpty()) {
      return;
    }
    replyTo = null;
    JsonObject batch = StreamProtocol.batch(take());
    if (needsDrain && drainHandler != null) { // the buffer has room again: the writer may go on
      needsDrain = false;
      drainHandler.handle(null);
    }
    target.replyAndRequest(batch, ackTimeout).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed() || StreamProtocol.isCancel(ar.result().body())) {
        close();
        drop();
        if (goneHandler != null) {
          goneHandler.run();
        }
        if (exceptionHandler != null) {
          exceptionHandler.handle(ar.failed() ? ar.cause() : new VertxException("The consumer cancelled the stream", true));
        }
        return;
      }
      replyTo = ar.result();
      flush();
    });
  }
}
