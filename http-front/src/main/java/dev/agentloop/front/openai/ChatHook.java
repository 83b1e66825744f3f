package dev.agentloop.front.openai;

import dev.agentloop.contract.chat.ChatRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What a front may do around a chat completion, e.g. keep a conversation: {@link #before} prepares
 * one request as a {@link Turn}: the request the model sees (with history prepended), response
 * headers set, or a recorded answer that stands for the model's; or refuses it. The turn's
 * {@link Turn#after} learns how the answer ended. For an answer that completed, the client gets its
 * last byte only after the future of {@code after} succeeds (a failure there becomes the client's
 * error); for an answer cut short (client gone, model failure) it runs once the response is over.
 */
public interface ChatHook {

  ChatHook NONE = (request, ctx) -> Future.succeededFuture(Turn.of(request));

  /**
   * The turn for {@code request} (as the client sent it), or a failure (an {@code ApiException}).
   * The response of {@code ctx} has not been sent yet: its headers may still be set.
   */
  Future<Turn> before(ChatRequest request, RoutingContext ctx);

  /** One request as the hook prepared it. */
  interface Turn {

    /** The request to send to the model. */
    ChatRequest request();

    /**
     * A recorded answer that answers this request instead of the model (the completion as first
     * sent, {@link ChatWire#completion}), or null to ask the model.
     */
    default JsonObject replay() {
      return null;
    }

    /** How the answer ended; {@code completion} is what the client gets (null unless it completed). */
    default Future<Void> after(SseRelay.Outcome outcome, JsonObject completion) {
      return Future.succeededFuture();
    }

    /**
     * No answer came at all (the model failed before any output, or the client left first): nothing
     * to store. The client's error is sent once the returned future completes (it never fails).
     */
    default Future<Void> abandoned() {
      return Future.succeededFuture();
    }

    static Turn of(ChatRequest request) {
      return () -> request;
    }
  }
}
