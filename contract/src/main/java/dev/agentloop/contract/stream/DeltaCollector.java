package dev.agentloop.contract.stream;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * A {@link DeltaSink} that gathers a whole answer: the text of its text entries (events are not part
 * of a completion) and its terminal. Never full, so a writer never waits on it.
 */
public final class DeltaCollector implements DeltaSink {

  private static final Future<Void> WRITTEN = Future.succeededFuture();
  private final StringBuilder text = new StringBuilder();
  private final Promise<StreamEnd> result = Promise.promise();

  /** The text gathered so far. */
  public String text() {
    return text.toString();
  }

  /** Completes with the terminal once the writer ends, or fails with its error. */
  public Future<StreamEnd> result() {
    return result.future();
  }

  @Override
  public Future<Void> write(Delta delta) {
    if (delta instanceof Delta.Text piece && !result.future().isComplete()) {
      text.append(piece.text());
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
