package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The consuming end of a token stream (see {@link StreamProtocol}). {@link #open} completes once the
 * first batch (or the terminal message) has arrived, so a caller can still answer with an HTTP error
 * status when the model fails before its first token. Then {@link #start()} delivers batches: text
 * tokens to the handler, JSON events to the event handler, in order; {@link #pause()} withholds the
 * acknowledgement, which stops the producer. A total timeout of 0 means none.
 *
 * <p>Exactly one of the end or exception handlers runs, once. All callbacks run on the context that
 * opened the stream.
 */
public final class TokenStream {

  private final Vertx vertx;
  private final String id;
  private final String model;
  private final String cancelAddress;
  private final StreamTimeouts timeouts;
  private final long openedAtNanos = System.nanoTime();
  private long firstTokenAtNanos;
  private long totalTimer = -1;
  private Message<Object> held;
  private boolean started;
  private boolean paused;
  private boolean done;
  private boolean cancelled;
  private boolean terminalReceived;
  private Handler<List<String>> batchHandler = tokens -> { };
  private Handler<JsonObject> eventHandler = event -> { };
  private Handler<StreamEnd> endHandler = end -> { };
  private Handler<ApiException> exceptionHandler = error -> { };

  private TokenStream(Vertx vertx, String id, String model, String cancelAddress, StreamTimeouts timeouts) {
    this.vertx = vertx;
    this.id = id;
    this.model = model;
    this.cancelAddress = cancelAddress;
    this.timeouts = timeouts;
  }

  /**
   * Sends {@code request} (which must carry an {@code id}) to {@code address} and waits up to the
   * first-token timeout for the first batch. A failure here is the producer's error, a 504 for the
   * timeout, or a 503 when no producer exists.
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
            stream.held = ar.result();
            if (!opened.tryComplete(stream)) {
              stream.cancel(); // the total timeout fired first
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

  public TokenStream handler(Handler<List<String>> handler) {
    this.batchHandler = handler;
    return this;
  }

  /** Receives the batches' JSON events (entries that are not text tokens). */
  public TokenStream eventHandler(Handler<JsonObject> handler) {
    this.eventHandler = handler;
    return this;
  }

  public TokenStream endHandler(Handler<StreamEnd> handler) {
    this.endHandler = handler;
    return this;
  }

  public TokenStream exceptionHandler(Handler<ApiException> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  /** Delivers the first batch and everything after it. */
  public void start() {
    if (started) {
      return;
    }
    started = true;
    Message<Object> first = held;
    held = null;
    if (first != null) {
      deliver(first);
    }
  }

  public boolean isDone() {
    return done;
  }

  public void pause() {
    paused = true;
  }

  public void resume() {
    paused = false;
    if (held != null && started && !done) {
      acknowledge();
    }
  }

  /** Stops the producer; no handler runs afterwards. */
  public void cancel() {
    if (cancelled || terminalReceived) {
      return;
    }
    cancelled = true;
    done = true;
    cancelTimer();
    if (held != null) {
      Message<Object> message = held;
      held = null;
      if (!isTerminal(message.body())) {
        message.reply(StreamProtocol.CANCEL);
      }
    } else {
      publishCancel();
    }
  }

  private void deliver(Message<Object> message) {
    if (done) {
      if (!isTerminal(message.body())) {
        message.reply(StreamProtocol.CANCEL);
      }
      return;
    }
    if (!(message.body() instanceof JsonObject body) || !(body.getValue(StreamProtocol.TOKENS) instanceof JsonArray tokens)) {
      fail(ApiException.upstream("The model sent a malformed stream message."));
      if (message.replyAddress() != null) {
        message.reply(StreamProtocol.CANCEL);
      }
      return;
    }
    deliverEntries(tokens);
    Object end = body.getValue(StreamProtocol.END);
    if (end instanceof JsonObject terminal) {
      terminalReceived = true;
      if (!done) {
        done = true;
        cancelTimer();
        endHandler.handle(new StreamEnd(terminal.getString(StreamProtocol.FINISH_REASON, "stop"),
            terminal.getJsonObject(StreamProtocol.USAGE, new JsonObject())));
      }
      return;
    }
    if (done) { // a handler cancelled the stream while it handled the batch
      message.reply(StreamProtocol.CANCEL);
      return;
    }
    held = message;
    if (!paused) {
      acknowledge();
    }
  }

  /** Text tokens go to the handler in runs, events one by one, in their order; stops if a handler cancels. */
  private void deliverEntries(JsonArray entries) {
    List<String> text = new ArrayList<>();
    for (Object entry : entries) {
      if (done) {
        return;
      }
      if (entry instanceof JsonObject event) {
        if (!text.isEmpty()) {
          batchHandler.handle(text);
          text = new ArrayList<>();
        }
        if (!done) {
          eventHandler.handle(event);
        }
      } else {
        text.add(String.valueOf(entry));
      }
    }
    if (!text.isEmpty() && !done) {
      batchHandler.handle(text);
    }
  }

  private void acknowledge() {
    Message<Object> message = held;
    held = null;
    message.replyAndRequest(StreamProtocol.ACK, StreamProtocol.timeout(timeouts.stallMs())).onComplete(ar -> {
      if (ar.succeeded()) {
        deliver(ar.result());
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
    exceptionHandler.handle(failure);
  }

  private static boolean timedOut(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }

  private static boolean isTerminal(Object body) {
    return body instanceof JsonObject json && json.getValue(StreamProtocol.END) != null;
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
