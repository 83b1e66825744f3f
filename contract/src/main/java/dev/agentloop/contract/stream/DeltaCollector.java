package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * A {@link DeltaSink} that gathers a whole answer: its choices' text and tool calls (events are not
 * part of a completion) and its terminal. Never full, so a writer never waits on it.
 */
public final class DeltaCollector implements DeltaSink {

  private static final Future<Void> WRITTEN = Future.succeededFuture();
  private final Gathered answer = new Gathered();
  private final Promise<StreamEnd> result = Promise.promise();

  /** The text of the first choice gathered so far (empty when it only called tools). */
  public String text() {
    String text = answer.content(0);
    return text == null ? "" : text;
  }

  /** Everything gathered so far: every choice's text and tool calls. */
  public Gathered answer() {
    return answer;
  }

  /** Completes with the terminal once the writer ends, or fails with its error. */
  public Future<StreamEnd> result() {
    return result.future();
  }

  @Override
  public Future<Void> write(Delta delta) {
    if (!result.future().isComplete()) {
      answer.add(delta);
    }
    return WRITTEN;
  }

  @Override
  public Future<Void> end(String finishReason, JsonObject usage) {
    result.tryComplete(new StreamEnd(finishReason, usage));
    return WRITTEN;
  }

  @Override
  public void fail(ApiException error) {
    result.tryFail(error);
  }

  @Override
  public DeltaCollector exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public DeltaCollector setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public DeltaCollector drainHandler(Handler<Void> handler) {
    return this;
  }
}
