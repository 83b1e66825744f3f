package dev.agentloop.common.openai;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * What a front may do around a chat completion, e.g. keep a conversation: {@link #before} may
 * rewrite the request the model sees (prepend history), add response headers, or refuse it;
 * {@link #after} learns how the answer ended. For an answer that completed, the client gets its
 * last byte only after the future of {@code after} succeeds (a failure there becomes the client's
 * error); for an answer cut short (client gone, model failure) it runs once the response is over.
 */
public interface ChatHook {

  ChatHook NONE = new ChatHook() {
    @Override
    public Future<ChatRequest> before(ChatRequest request, MultiMap responseHeaders) {
      return Future.succeededFuture(request);
    }

    @Override
    public Future<Void> after(ChatRequest request, SseRelay.Outcome outcome) {
      return Future.succeededFuture();
    }
  };

  /**
   * The request to send to the model instead of {@code request}, or a failure (an
   * {@code ApiException}). {@code responseHeaders} are the response's, not yet sent.
   */
  Future<ChatRequest> before(ChatRequest request, MultiMap responseHeaders);

  /** {@code request} is the one the client sent (before {@link #before} rewrote it). */
  Future<Void> after(ChatRequest request, SseRelay.Outcome outcome);
}
