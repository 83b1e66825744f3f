package dev.agentloop.front.openai;

import dev.agentloop.contract.stream.Delta;
import dev.agentloop.contract.chat.ChatRequest;
import dev.agentloop.contract.chat.ChatService;
import dev.agentloop.contract.chat.Completion;
import dev.agentloop.contract.chat.Embeddings;
import dev.agentloop.front.ApiRouter;
import dev.agentloop.front.ApiServer;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.HttpLimits;
import dev.agentloop.contract.config.Settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.stream.StreamTimeouts;
import dev.agentloop.contract.stream.TokenStream;
import dev.agentloop.contract.stream.TokenStreamProducer;
import dev.agentloop.front.openai.ChatMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatRoutes#abortInFlight} while a completed stream waits for its {@code after} hook (a slow
 * storage append): the stream ends once, with the abort's error, whatever the hook does later.
 */
class ChatRoutesAbortTest {

  private static final Settings GATEWAY = Settings.root(ConfigLoader.defaults()).section("gateway");
  private static final HttpLimits LIMITS = HttpLimits.from(GATEWAY);
  private static final StreamTimeouts TIMEOUTS = StreamTimeouts.from(GATEWAY.section("timeouts"));

  private static final String STREAM = "test.chat-routes.stream";
  private static final String CANCEL = "test.chat-routes.cancel";

  private Vertx vertx;
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final AtomicReference<Promise<Void>> append = new AtomicReference<>();
  private final CompletableFuture<Context> storing = new CompletableFuture<>();
  private ChatRoutes routes;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(uncaught::add);
    vertx.eventBus().consumer(STREAM, message -> {
      TokenStreamProducer producer = new TokenStreamProducer(message, 256, 10_000);
      producer.write(Delta.text("hello"));
      producer.end("stop", new JsonObject().put("prompt_tokens", 1).put("completion_tokens", 1).put("total_tokens", 2));
    }).completion().await(5, TimeUnit.SECONDS);
    ChatService models = new ChatService() {
      @Override
      public Future<TokenStream> stream(ChatRequest request) {
        return TokenStream.open(vertx, STREAM, CANCEL, request.toBus(), TIMEOUTS, "test");
      }

      @Override
      public Future<Completion> complete(ChatRequest request) {
        return Future.succeededFuture(new Completion(request.model(), "hello", "stop",
            new JsonObject().put("prompt_tokens", 1).put("completion_tokens", 1).put("total_tokens", 2)));
      }

      @Override
      public void cancel(String requestId) {
      }

      @Override
      public Future<Embeddings> embed(JsonObject request) {
        return Future.failedFuture(ApiException.modelNotFound(request.getString("model")));
      }

      @Override
      public Future<JsonArray> models() {
        return Future.succeededFuture(new JsonArray());
      }
    };
    ChatHook slowStore = (request, ctx) -> Future.succeededFuture(new ChatHook.Turn() {
      @Override
      public ChatRequest request() {
        return request;
      }

      @Override
      public Future<Void> after(SseRelay.Outcome outcome, JsonObject completion) {
        Promise<Void> pending = Promise.promise();
        append.set(pending);
        storing.complete(Vertx.currentContext());
        return pending.future();
      }
    });
    routes = new ChatRoutes(models, LIMITS, new ChatMetrics(new SimpleMeterRegistry(), "test"), slowStore);
    Router router = ApiRouter.create(vertx, LIMITS.bodyLimitBytes());
    routes.mount(router);
    ApiRouter.finish(router);
    server = ApiServer.create(vertx, "127.0.0.1", 0, LIMITS, router).listen().await(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("an abort while a streamed turn is being stored ends the stream once; the late store writes nothing")
  void abort_during_a_pending_append_of_a_stream() throws Exception {
    HttpResponse<String> answer = abortWhileStoring(true);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("shutting down").doesNotContain("[DONE]");
  }

  @Test
  @DisplayName("an abort while a plain turn is being stored answers the error once; the late store writes nothing")
  void abort_during_a_pending_append_of_a_plain_answer() throws Exception {
    HttpResponse<String> answer = abortWhileStoring(false);
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.body()).contains("shutting down");
  }

  private HttpResponse<String> abortWhileStoring(boolean stream) throws Exception {
    String body = new JsonObject().put("model", "m").put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
    CompletableFuture<HttpResponse<String>> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .build().sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    Context context = storing.get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> aborted = new CompletableFuture<>();
    context.runOnContext(v -> {
      routes.abortInFlight(ApiException.unavailable("The server is shutting down."));
      aborted.complete(null);
    });
    aborted.get(5, TimeUnit.SECONDS);
    HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);

    CompletableFuture<Throwable> stored = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        append.get().complete();
        stored.complete(null);
      } catch (Throwable t) {
        stored.complete(t);
      }
    });
    assertThat(stored.get(5, TimeUnit.SECONDS)).as("what completing the late store threw").isNull();
    CompletableFuture<Void> after = new CompletableFuture<>();
    context.runOnContext(v -> after.complete(null));
    after.get(5, TimeUnit.SECONDS);
    assertThat(uncaught).as("exceptions thrown on the event loop").isEmpty();
    return answer;
  }
}
