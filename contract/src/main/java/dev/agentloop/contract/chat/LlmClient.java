package dev.agentloop.contract.chat;

import dev.agentloop.contract.Services;
import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.Addresses;
import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.stream.StreamProtocol;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.TokenStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Talks to the llm-service over the event bus. Whole completions are the token stream gathered up,
 * so plain requests get the same first-token, stall and total timeouts and the same cancel path.
 */
public final class LlmClient implements ChatService {

  private static final long MODELS_TIMEOUT_MS = 5_000;
  private final Vertx vertx;
  private final Function<String, StreamTimeouts> timeouts;

  public LlmClient(Vertx vertx, Function<String, StreamTimeouts> timeouts) {
    this.vertx = vertx;
    this.timeouts = timeouts;
  }

  @Override
  public Future<TokenStream> stream(ChatRequest request) {
    return TokenStream.open(vertx, Addresses.LLM_STREAM, Addresses.LLM_CANCEL, request.toBus(),
        timeouts.apply(request.model()), Services.LLM_SERVICE);
  }

  @Override
  public Future<Completion> complete(ChatRequest request) {
    return stream(request).compose(stream -> stream.collect(Delta.gathered())
        .map(answer -> Completion.of(request.model(), answer, stream.streamEnd().finishReason(),
            stream.streamEnd().usage()))
        .onFailure(failure -> stream.cancel()));
  }

  @Override
  public void cancel(String id) {
    vertx.eventBus().publish(Addresses.LLM_CANCEL, new JsonObject().put("id", id));
  }

  /**
   * A plain request on {@link Addresses#LLM_EMBED}: the vectors come whole in one reply, so the
   * model's {@code first_token_ms} bounds it; failures map as the streams' do.
   */
  @Override
  public Future<Embeddings> embed(JsonObject request) {
    String model = String.valueOf(request.getValue("model"));
    return vertx.eventBus().<Buffer>request(Addresses.LLM_EMBED, request,
            StreamProtocol.timeout(timeouts.apply(model).firstTokenMs()))
        .map(LlmClient::embeddings)
        .recover(failure -> Future.failedFuture(ApiException.from(failure, "llm-service")));
  }

  private static Embeddings embeddings(Message<Buffer> reply) {
    return new Embeddings(reply.headers().get("model"), reply.body(), header(reply, "inputs"),
        header(reply, "prompt_tokens"));
  }

  private static int header(Message<Buffer> reply, String name) {
    String value = reply.headers().get(name);
    return value == null ? 0 : Integer.parseInt(value);
  }

  @Override
  public Future<JsonArray> models() {
    return vertx.eventBus().<JsonObject>request(Addresses.LLM_MODELS, new JsonObject(),
            StreamProtocol.timeout(MODELS_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonArray("data", new JsonArray()))
        .recover(failure -> Future.failedFuture(ApiException.from(failure, Services.LLM_SERVICE)));
  }
}
