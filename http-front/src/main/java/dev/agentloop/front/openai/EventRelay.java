package dev.agentloop.front.openai;

import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;

/**
 * Relays a stream of JSON events (an agent run's steps, a job's progress) to an HTTP client as
 * server-sent events: one {@code data:} event per event, then {@code [DONE]}; or an error event when
 * the stream fails. It never writes while the response's write queue is full, nor while more than
 * {@link #MAX_UNSENT_BYTES} it wrote have not reached the socket yet (the write queue counts messages,
 * not bytes, and one event may be large): the stream is paused, so the rest of the batch at hand
 * waits in it and its producer stops or coalesces, and the drain resumes it. A client that
 * stays blocked for the slow-reader timeout is ended; a closed connection cancels the stream.
 */
public final class EventRelay {

  static final long MAX_UNSENT_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final TokenStream stream;
  private final long slowReaderTimeoutMs;
  private final ArrayDeque<JsonObject> waiting = new ArrayDeque<>();
  private final Promise<Void> over = Promise.promise();
  private boolean ended;
  private long unsentBytes;
  private long slowReaderTimer = -1;

  public EventRelay(Vertx vertx, HttpServerResponse response, TokenStream stream, long slowReaderTimeoutMs) {
    this.vertx = vertx;
    this.response = response;
    this.stream = stream;
    this.slowReaderTimeoutMs = slowReaderTimeoutMs;
  }

  /** Starts relaying; the future completes once the response is over, however it ended. */
  public Future<Void> start() {
    SseRelay.writeHeaders(response);
    response.closeHandler(v -> {
      stream.cancel();
      finish();
    });
    response.drainHandler(v -> drain());
    stream.handler(delta -> {
      if (delta instanceof Delta.Event event) {
        onEvent(event.body());
      }
    }).endHandler(end -> {
      ended = true;
      drain();
    }).exceptionHandler(error -> fail(ApiException.from(error, "stream")));
    return over.future();
  }

  private void onEvent(JsonObject event) {
    if (!waiting.isEmpty() || full()) {
      waiting.add(event);
      blocked();
      return;
    }
    write(event);
  }

  private boolean full() {
    return response.writeQueueFull() || unsentBytes > MAX_UNSENT_BYTES;
  }

  private void write(JsonObject event) {
    if (!response.ended() && !response.closed()) {
      Buffer data = ChatWire.event(event);
      unsentBytes += data.length();
      response.write(data).onComplete(sent -> {
        unsentBytes -= data.length();
        if (unsentBytes <= MAX_UNSENT_BYTES) {
          drain();
        }
      });
      if (full()) {
        blocked();
      }
    }
  }

  /** The client does not keep up: hold the producer and start the slow-reader clock. */
  private void blocked() {
    stream.pause();
    if (slowReaderTimeoutMs > 0 && slowReaderTimer < 0) {
      slowReaderTimer = vertx.setTimer(slowReaderTimeoutMs, t -> {
        slowReaderTimer = -1;
        stream.cancel();
        waiting.clear();
        fail(new ApiException(408, "invalid_request_error", "slow_reader", null,
            "The client read the stream too slowly; it was ended after " + slowReaderTimeoutMs + " ms without progress."));
        // the client may never read the end either: free the connection rather than hold its buffers
        vertx.setTimer(1_000, c -> {
          if (!response.closed()) {
            response.reset();
          }
        });
      });
    }
  }

  private void drain() {
    if (over.future().isComplete()) {
      return;
    }
    while (!waiting.isEmpty() && !full()) {
      write(waiting.poll());
    }
    if (!waiting.isEmpty() || full()) {
      return;
    }
    cancelSlowReaderTimer();
    if (ended) {
      if (!response.ended() && !response.closed()) {
        response.end(ChatWire.DONE);
      }
      finish();
    } else {
      stream.resume();
    }
  }

  private void fail(ApiException error) {
    if (over.future().isComplete()) {
      return;
    }
    waiting.clear();
    if (!response.ended() && !response.closed()) {
      response.end(ChatWire.event(error.toJson()));
    }
    finish();
  }

  private void finish() {
    cancelSlowReaderTimer();
    over.tryComplete();
  }

  private void cancelSlowReaderTimer() {
    if (slowReaderTimer >= 0) {
      vertx.cancelTimer(slowReaderTimer);
      slowReaderTimer = -1;
    }
  }
}
