package dev.agentloop.front.openai;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.stream.Gathered;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.stream.StreamEnd;
import dev.agentloop.contract.stream.TokenStream;
import dev.agentloop.front.openai.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Relays a token stream to an HTTP client as OpenAI's server-sent events: a role chunk, one event
 * per token, a finish chunk, an optional usage chunk, then {@code [DONE]}; or an error event when the
 * stream fails after the first byte. A full HTTP write queue pauses the stream (and so the
 * producer); a closed connection cancels it.
 */
public final class SseRelay {

  /**
   * How a relayed stream ended, for whoever wants to persist or count it: the first choice's text
   * (null when it only called tools) and tool calls.
   */
  public record Outcome(String content, String finishReason, JsonObject usage, ApiException error, boolean clientGone,
      JsonArray toolCalls) {
    public Outcome {
      toolCalls = toolCalls == null ? new JsonArray() : toolCalls;
    }

    public Outcome(String content, String finishReason, JsonObject usage, ApiException error, boolean clientGone) {
      this(content, finishReason, usage, error, clientGone, null);
    }

    public boolean completed() {
      return error == null && !clientGone;
    }
  }

  private final Vertx vertx;
  private final long slowReaderTimeoutMs;
  private long slowReaderTimer = -1;
  private final HttpServerResponse response;
  private final TokenStream stream;
  private final ChatRequest request;
  private final String completionId;
  private final long created;
  private final String model;
  private final ChatMetrics metrics;
  private final long startedNanos;
  private final Gathered answer = new Gathered();
  /** The highest choice index seen: each choice after the first gets its role chunk when it starts. */
  private int lastChoice;
  /** The role chunk leaves with the first batch, which says whether the answer is text or tool calls. */
  private boolean roleSent;
  private final Promise<Outcome> outcome = Promise.promise();
  private Function<Outcome, Future<Void>> beforeDone;
  private boolean ending;
  private Buffer pending;
  private int pendingTokens;

  public SseRelay(Vertx vertx, HttpServerResponse response, TokenStream stream, ChatRequest request,
      String completionId, String model, ChatMetrics metrics, long startedNanos, long slowReaderTimeoutMs) {
    this.vertx = vertx;
    this.slowReaderTimeoutMs = slowReaderTimeoutMs;
    this.response = response;
    this.stream = stream;
    this.request = request;
    this.completionId = completionId;
    this.created = System.currentTimeMillis() / 1000;
    this.model = model;
    this.metrics = metrics;
    this.startedNanos = startedNanos;
  }

  /**
   * Work that must succeed before a completed stream gets its final chunk and {@code [DONE]} (e.g.
   * persisting the turn); if it fails the stream ends with that error event instead.
   */
  public SseRelay beforeDone(Function<Outcome, Future<Void>> work) {
    this.beforeDone = work;
    return this;
  }

  /** The answer as one {@code chat.completion} with this stream's id, created time and model (to record it). */
  public JsonObject completion(Outcome result) {
    return ChatWire.completion(completionId, created, model, Completion.of(model, answer, result.finishReason(),
        result.usage()).choices(), result.finishReason(), result.usage());
  }

  public static void writeHeaders(HttpServerResponse response) {
    if (!response.headWritten()) {
      response.setStatusCode(200)
          .setChunked(true)
          .putHeader("content-type", "text/event-stream; charset=utf-8")
          .putHeader("cache-control", "no-cache")
          .putHeader("x-accel-buffering", "no");
    }
  }

  public Future<Outcome> start() {
    metrics.streamOpened();
    metrics.firstToken(model, stream.timeToFirstTokenNanos());
    writeHeaders(response);
    response.closeHandler(v -> {
      if (!outcome.future().isComplete() && !ending) {
        stream.cancel();
        metrics.clientGone(model);
        finish(outcome(null, null, null, true));
      }
    });
    stream.handler(this::onDelta).batchEndHandler(v -> onBatchEnd())
        .endHandler(v -> onEnd(stream.streamEnd()))
        .exceptionHandler(error -> onError(ApiException.from(error, "model")));
    return outcome.future();
  }

  /**
   * A text entry, tool-call start or argument fragment becomes a chunk, gathered with the rest of its
   * batch; a chat stream carries no events.
   */
  private void onDelta(Delta delta) {
    JsonObject chunk = switch (delta) {
      case Delta.Text text -> ChatWire.contentDelta(text.text());
      case Delta.ToolCallStart start -> ChatWire.toolCallStartDelta(start.index(), start.id(), start.name());
      case Delta.ToolArguments args -> ChatWire.toolArgumentsDelta(args.index(), args.fragment());
      case Delta.Event event -> null;
    };
    if (chunk == null) {
      return;
    }
    answer.add(delta);
    if (pending == null) {
      pending = Buffer.buffer(160);
    }
    if (!roleSent) {
      pending.appendBuffer(role(delta instanceof Delta.ToolCallStart));
    }
    int choice = delta.choiceIndex();
    while (lastChoice < choice) {
      lastChoice++;
      pending.appendBuffer(ChatWire.event(ChatWire.chunk(completionId, created, model, ChatWire.roleDelta(), null,
          request.includeUsage(), lastChoice)));
    }
    pending.appendBuffer(ChatWire.event(ChatWire.chunk(completionId, created, model, chunk, null,
        request.includeUsage(), choice)));
    pendingTokens++;
  }

  /**
   * The first chunk: the role, with {@code content: ""} before text and {@code content: null} before
   * tool calls, as OpenAI sends it.
   */
  private Buffer role(boolean toolCalls) {
    roleSent = true;
    JsonObject delta = ChatWire.roleDelta();
    if (toolCalls) {
      delta.putNull("content");
    }
    return ChatWire.event(ChatWire.chunk(completionId, created, model, delta, null, request.includeUsage()));
  }

  /** The role chunk, when no entry has brought it yet (an empty answer, an error), then {@code events}. */
  private Buffer afterRole(Buffer events) {
    return roleSent ? events : role(false).appendBuffer(events);
  }

  private Outcome outcome(String finishReason, JsonObject usage, ApiException error, boolean clientGone) {
    return new Outcome(answer.content(0), finishReason, usage, error, clientGone, answer.toolCalls(0));
  }

  /** The batch's chunks leave in one write; a full write queue pauses the stream, which withholds its ack. */
  private void onBatchEnd() {
    if (pending == null) {
      return;
    }
    Buffer events = pending;
    pending = null;
    metrics.tokens(model, pendingTokens);
    pendingTokens = 0;
    response.write(events);
    if (response.writeQueueFull()) {
      stream.pause();
      response.drainHandler(v -> {
        cancelSlowReaderTimer();
        stream.resume();
      });
      if (slowReaderTimeoutMs > 0 && slowReaderTimer < 0) {
        slowReaderTimer = vertx.setTimer(slowReaderTimeoutMs, t -> {
          slowReaderTimer = -1;
          abort(new ApiException(408, "invalid_request_error", "slow_reader", null,
              "The client read the stream too slowly; it was ended after " + slowReaderTimeoutMs + " ms without progress."));
          // The client may never read the end either: free the connection rather than hold its buffers.
          vertx.setTimer(1_000, c -> {
            if (!response.closed()) {
              response.reset();
            }
          });
        });
      }
    }
  }

  /** Ends the stream now with {@code error} as its terminal event, and stops the producer. */
  public void abort(ApiException error) {
    if (outcome.future().isComplete()) {
      return;
    }
    stream.cancel();
    metrics.error(error.status());
    if (!response.ended() && !response.closed()) {
      response.end(afterRole(ChatWire.event(error.toJson())));
    }
    finish(outcome(null, null, error, false));
  }

  private void cancelSlowReaderTimer() {
    if (slowReaderTimer >= 0) {
      vertx.cancelTimer(slowReaderTimer);
      slowReaderTimer = -1;
    }
  }

  private void onEnd(StreamEnd end) {
    Outcome result = outcome(end.finishReason(), end.usage(), null, false);
    if (beforeDone == null) {
      sendTail(end, result);
      return;
    }
    ending = true;
    beforeDone.apply(result).onComplete(ar -> {
      if (outcome.future().isComplete()) {
        return; // aborted meanwhile (grace period over, slow reader): the abort wrote the terminal event
      }
      if (ar.succeeded()) {
        sendTail(end, result);
      } else {
        ApiException error = ApiException.from(ar.cause(), Services.STORAGE_SERVICE);
        metrics.error(error.status());
        response.end(afterRole(ChatWire.event(error.toJson())));
        finish(outcome(end.finishReason(), end.usage(), error, false));
      }
    });
  }

  private void sendTail(StreamEnd end, Outcome result) {
    Buffer tail = Buffer.buffer();
    for (int choice = 0; choice <= lastChoice; choice++) {
      tail.appendBuffer(ChatWire.event(ChatWire.chunk(completionId, created, model, new JsonObject(),
          end.finishReason(), request.includeUsage(), choice)));
    }
    if (request.includeUsage()) {
      tail.appendBuffer(ChatWire.event(ChatWire.usageChunk(completionId, created, model, end.usage())));
    }
    tail.appendBuffer(ChatWire.DONE);
    response.end(afterRole(tail));
    metrics.completed(model, System.nanoTime() - startedNanos);
    finish(result);
  }

  private void onError(ApiException error) {
    metrics.error(error.status());
    response.end(afterRole(ChatWire.event(error.toJson())));
    finish(outcome(null, null, error, false));
  }

  private void finish(Outcome result) {
    cancelSlowReaderTimer();
    if (outcome.tryComplete(result)) {
      metrics.streamClosed();
    }
  }
}
