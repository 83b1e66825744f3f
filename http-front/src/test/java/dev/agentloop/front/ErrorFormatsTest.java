package dev.agentloop.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the error format of each route")
class ErrorFormatsTest {

  /** Anthropic's shape, as the next wire format will register it. */
  private static final ErrorFormat MESSAGES = error -> new JsonObject().put("type", "error")
      .put("error", new JsonObject().put("type", error.type()).put("message", error.getMessage())).toBuffer();

  @Test
  @DisplayName("the longest registered prefix wins, on a whole path segment; everything else is OpenAI's")
  void selection_by_path_prefix() {
    ErrorFormat nested = error -> null;
    ErrorFormats formats = ErrorFormats.openAi().with("/v1/messages", MESSAGES).with("/v1/messages/batches", nested);

    assertThat(formats.forPath("/v1/messages")).isSameAs(MESSAGES);
    assertThat(formats.forPath("/v1/messages/count_tokens")).isSameAs(MESSAGES);
    assertThat(formats.forPath("/v1/messages/batches/b1")).isSameAs(nested);
    assertThat(formats.forPath("/v1/messagesx")).as("not the same segment").isSameAs(ErrorFormat.OPENAI);
    assertThat(formats.forPath("/v1/chat/completions")).isSameAs(ErrorFormat.OPENAI);
    assertThat(formats.forPath(null)).isSameAs(ErrorFormat.OPENAI);
    assertThat(ErrorFormats.openAi().forPath("/v1/messages")).as("registering returns a new set").isSameAs(ErrorFormat.OPENAI);
    assertThatThrownBy(() -> ErrorFormats.openAi().with("/v1/messages/", MESSAGES))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErrorFormats.openAi().with("v1", MESSAGES)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("the failure handler renders each route's errors in its format, with the same status and headers")
  void failure_handler_uses_the_route_format() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Router router = ApiRouter.create(vertx, 1024);
      ApiException overloaded = ApiException.unavailable("Try later.").retryAfter(7);
      router.post("/v1/messages").handler(ctx -> ctx.fail(overloaded));
      router.post("/v1/chat/completions").handler(ctx -> ctx.fail(overloaded));
      router.get("/v1/boom").handler(ctx -> {
        throw new IllegalStateException("secret internal detail");
      });
      ApiRouter.finish(router, ErrorFormats.openAi().with("/v1/messages", MESSAGES));
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
          .await(5, TimeUnit.SECONDS);
      String base = "http://127.0.0.1:" + server.actualPort();

      HttpResponse<String> messages = send(base + "/v1/messages", "POST", "{}");
      assertThat(messages.statusCode()).isEqualTo(503);
      assertThat(messages.headers().firstValue("retry-after")).hasValue("7");
      assertThat(messages.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(new JsonObject(messages.body())).isEqualTo(new JsonObject().put("type", "error")
          .put("error", new JsonObject().put("type", "service_unavailable").put("message", "Try later.")));

      HttpResponse<String> chat = send(base + "/v1/chat/completions", "POST", "{}");
      assertThat(chat.statusCode()).isEqualTo(503);
      assertThat(chat.headers().firstValue("retry-after")).hasValue("7");
      assertThat(new JsonObject(chat.body())).isEqualTo(overloaded.toJson());

      HttpResponse<String> boom = send(base + "/v1/boom", "GET", null);
      assertThat(boom.statusCode()).isEqualTo(500);
      JsonObject error = new JsonObject(boom.body()).getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("api_error");
      assertThat(error.getString("code")).isEqualTo("internal_error");
      assertThat(boom.body()).doesNotContain("secret", "IllegalStateException");

      HttpResponse<String> unknownMessages = send(base + "/v1/messages/nowhere", "GET", null);
      assertThat(unknownMessages.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(unknownMessages.body()).getString("type")).as("the catch-all speaks the route's format too")
          .isEqualTo("error");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<String> send(String url, String method, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
