package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * The consuming end of a token stream (see {@link StreamProtocol}), a {@link ReadStream} of
 * {@link Delta}s. {@link #open} completes once the first batch (or the terminal message) has arrived,
 * so a caller can still answer with an HTTP error status when the model fails before its first token.
 * Delivery starts once a handler is set (on a later task of the context, so the end and exception
 * handlers set in the same task are in place). {@link #pause()} and {@link #fetch(long)} work per
 * entry; the acknowledgement of a batch, which lets the producer go on, leaves only once all its
 * entries are delivered and the stream is not paused. So a paused consumer stops the producer.
 *
 * <p>Exactly one of the end or exception handlers runs, once; the exception is always an
 * {@link ApiException}, and {@link #streamEnd()} holds the terminal when the end handler runs. All
 * callbacks run on the context that opened the stream. A total timeout of 0 means none.
 */
public final class TokenStream implements ReadStream<Delta> {

  private final Vertx vertx;
  private final Context context;
  private final String id;
  private final String model;
  private final String cancelAddress;
  private final StreamTimeouts timeouts;
  private final long openedAtNanos = System.nanoTime();
  private long firstTokenAtNanos;
  private long totalTimer = -1;
  private Message<Object> held;
  private List<Delta> entries = List.of();
  private int cursor;
  private boolean batchEnded = true;
  private StreamEnd terminal;
  private StreamEnd result;
  private long demand = Long.MAX_VALUE;
  private boolean delivering;
  private boolean drainScheduled;
  private boolean done;
  private boolean cancelled;
  private boolean terminalReceived;
  private String malformed;
  private Handler<Delta> handler;
  private Handler<Void> batchEndHandler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  private TokenStream(Vertx vertx, String id, String model, String cancelAddress, StreamTimeouts timeouts) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.id = id;
    this.model = model;
    this.cancelAddress = cancelAddress;
    this.timeouts = timeouts;
  }

  /**
   * Sends {@code request} (which must carry an {@code id}) to {@code address} and waits up to the
   * first-token timeout for the first batch. A failure here is the producer's error, a 504 for the
   * timeout, a 503 when no producer exists, or a 502 when the first batch is malformed.
   */
  public static Future<TokenStream> open(Vertx vertx, String address, String cancelAddress, JsonObject request,
      StreamTimeouts timeouts, String service) {
    TokenStream stream = new TokenStream(vertx, request.getString("id"), request.getString("model"), cancelAddress,
        timeouts);
    Promise<TokenStream> opened = Promise.promise();
    if (timeouts.totalMs() > 0) {
      stream.totalTimer = vertx.setTimer(timeouts.totalMs(), t -> {
        stream.totalTimer = -1;
        ApiException timeout = ApiException.timeout(
            "The model did not finish within " + timeouts.totalMs() + " ms.");
        if (!opened.tryFail(timeout)) {
          stream.fail(timeout);
        }
        stream.cancel();
      });
    }
    long firstMs = timeouts.totalMs() > 0 ? Math.min(timeouts.firstTokenMs(), timeouts.totalMs()) : timeouts.firstTokenMs();
    vertx.eventBus().request(address, request, StreamProtocol.timeout(firstMs))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            stream.firstTokenAtNanos = System.nanoTime();
            if (opened.future().isComplete()) {
              stream.refuse(ar.result()); // the total timeout fired first
            } else if (stream.arrived(ar.result())) {
              opened.complete(stream);
            } else {
              stream.done = true;
              stream.cancelTimer();
              opened.fail(ApiException.upstream("The " + service + " sent a malformed stream: " + stream.malformed));
            }
            return;
          }
          ApiException failure = ApiException.from(ar.cause(), service);
          if (timedOut(ar.cause())) { // our own wait ran out (a producer's error keeps its text and reason)
            failure = ApiException.timeout("The model produced no first token within " + firstMs + " ms.");
          }
          stream.done = true;
          stream.cancelTimer();
          stream.publishCancel();
          opened.tryFail(failure);
        });
    return opened.future();
  }

  public String id() {
    return id;
  }

  /** The model this stream was opened with: the one answering, after any fallback. */
  public String model() {
    return model;
  }

  /** Nanoseconds from {@link #open} to the first batch. */
  public long timeToFirstTokenNanos() {
    return firstTokenAtNanos - openedAtNanos;
  }

  /** The terminal of a stream that ended: its finish reason and usage; null before. */
  public StreamEnd streamEnd() {
    return result;
  }

  @Override
  public TokenStream handler(Handler<Delta> handler) {
    this.handler = handler;
    if (handler != null && !drainScheduled) {
      drainScheduled = true;
      context.runOnContext(v -> {
        drainScheduled = false;
        drain();
      });
    }
    return this;
  }

  /**
   * Runs after the handler got the last entry of a batch, before the batch is acknowledged: a
   * consumer that writes a batch at once writes it here, and may pause to withhold the ack.
   */
  public TokenStream batchEndHandler(Handler<Void> handler) {
    this.batchEndHandler = handler;
    return this;
  }

  @Override
  public TokenStream endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  @Override
  public TokenStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  public boolean isDone() {
    return done;
  }

  @Override
  public TokenStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public TokenStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public TokenStream fetch(long amount) {
    if (amount > 0) {
      demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
      drain();
    }
    return this;
  }

  /** Stops the producer; no handler runs afterwards. */
  public void cancel() {
    if (cancelled || terminalReceived && done) {
      return;
    }
    cancelled = true;
    done = true;
    cancelTimer();
    if (terminalReceived) { // the producer is over already: only stop delivering what is left
      entries = List.of();
      return;
    }
    if (held != null) {
      refuse(held);
      held = null;
    } else {
      publishCancel();
    }
  }

  /** Takes a batch in; false (and the batch refused, which cancels its producer) when it is malformed. */
  private boolean arrived(Message<Object> message) {
    if (done) {
      refuse(message);
      return true;
    }
    StreamProtocol.Batch batch;
    try {
      batch = StreamProtocol.decode(message.body(), StreamProtocol.MAX_BATCH_ENTRIES);
    } catch (DeltaCodec.MalformedBatch e) {
      malformed = e.getMessage();
      refuse(message);
      return false;
    }
    entries = batch.deltas();
    cursor = 0;
    batchEnded = entries.isEmpty();
    if (batch.end() != null) {
      terminalReceived = true;
      terminal = batch.end();
    } else {
      held = message;
    }
    return true;
  }

  /** Delivers entries while there is demand; then the batch's end, and the ack or the stream's end. */
  private void drain() {
    if (delivering || handler == null || done) {
      return;
    }
    delivering = true;
    try {
      while (!done && cursor < entries.size() && demand > 0) {
        Delta delta = entries.get(cursor++);
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(delta);
      }
      if (done || cursor < entries.size()) {
        return;
      }
      entries = List.of(); // delivered: a held stream keeps none of its entries
      cursor = 0;
      if (!batchEnded) {
        batchEnded = true;
        if (batchEndHandler != null) {
          batchEndHandler.handle(null);
        }
        if (done) {
          return;
        }
      }
      if (terminal != null) {
        done = true;
        result = terminal;
        cancelTimer();
        if (endHandler != null) {
          endHandler.handle(null);
        }
      } else if (held != null && demand > 0) {
        acknowledge();
      }
    } finally {
      delivering = false;
    }
  }

  private void acknowledge() {
    Message<Object> message = held;
    held = null;
    message.replyAndRequest(StreamProtocol.ACK, StreamProtocol.timeout(timeouts.stallMs())).onComplete(ar -> {
      if (ar.succeeded()) {
        if (arrived(ar.result())) {
          drain();
        } else {
          fail(ApiException.upstream("The model sent a malformed stream message: " + malformed));
        }
      } else if (!done) {
        ApiException failure = ApiException.from(ar.cause(), "model");
        if (timedOut(ar.cause())) {
          failure = ApiException.timeout("The model stalled: no token for " + timeouts.stallMs() + " ms.");
        }
        fail(failure);
        publishCancel();
      }
    });
  }

  private void fail(ApiException failure) {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    if (exceptionHandler != null) {
      exceptionHandler.handle(failure);
    }
  }

  private static boolean timedOut(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }

  /** Answers a batch nobody will read: a cancel, unless it is terminal (nobody waits for an answer then). */
  private static void refuse(Message<Object> message) {
    if (!StreamProtocol.isTerminal(message.body()) && message.replyAddress() != null) {
      message.reply(StreamProtocol.CANCEL);
    }
  }

  private void cancelTimer() {
    if (totalTimer >= 0) {
      vertx.cancelTimer(totalTimer);
      totalTimer = -1;
    }
  }

  private void publishCancel() {
    if (id != null && cancelAddress != null) {
      vertx.eventBus().publish(cancelAddress, new JsonObject().put("id", id));
    }
  }
}
