package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.node.Metrics;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Keys, rate limits, limits on everything, slow clients and hostile content, through real HTTP. */
class HardeningTest {

  private static final String KEY_1 = "sk-agentloop-test-one";
  private static final String KEY_2 = "sk-agentloop-test-two";
  private static final String KEY_3 = "sk-agentloop-test-three";

  private static JsonArray models() {
    return new JsonArray()
        .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
        .add(new JsonObject().put("id", "mock-echo").put("echo", true))
        .add(new JsonObject().put("id", "held").put("first_token_ms", 0).put("per_token_ms", 100).put("tokens", 20))
        .add(new JsonObject().put("id", "late").put("first_token_ms", 1500).put("tokens", 3))
        .add(new JsonObject().put("id", "endless").put("tokens", 100_000));
  }

  private static double count(MeterRegistry registry, String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("with API keys and rate limits on")
  class Protected {

    @AutoClose
    private TestApp app;
    private MeterRegistry registry;

    @BeforeAll
    void start() {
      app = TestApp.start(new JsonObject()
          .put("llm", new JsonObject().put("models", models()))
          .put("gateway", new JsonObject()
              .put("api_keys", new JsonArray().add(KEY_1).add(KEY_2).add(KEY_3))
              .put("rate_limits", new JsonObject().put("requests_per_second", 2).put("burst", 3))
              .put("admission", new JsonObject().put("stream", new JsonObject().put("per_client", 1)))));
      registry = app.registry();
    }

    @Test
    @DisplayName("no key or a wrong key is a 401 in the error shape that never echoes the key")
    void unauthorized() {
      double before = count(registry, "agentloop_auth_failures");
      HttpResponse<String> none = Http.post(app.chatUrl(), null, Http.chat("mock-fast", "hi"));
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(ChatCompletionsTest.errorOf(none).getString("code")).isEqualTo("invalid_api_key");
      String wrongKey = "sk-wrong-" + KEY_1;
      HttpResponse<String> wrong = Http.post(app.chatUrl(), wrongKey, Http.chat("mock-fast", "hi"));
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain(wrongKey).doesNotContain(KEY_1);
      assertThat(Http.get(app.gatewayUrl() + "/v1/models").statusCode()).isEqualTo(401);
      assertThat(count(registry, "agentloop_auth_failures")).isEqualTo(before + 3);
      assertThat(Http.get(app.gatewayUrl() + "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a configured key is accepted")
    void authorized() {
      HttpResponse<String> ok = Http.post(app.chatUrl(), KEY_2, Http.chat("mock-echo", "let me in"));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ChatCompletionsTest.content(Http.json(ok))).isEqualTo("let me in");
    }

    @Test
    @DisplayName("past its request rate a key gets 429 with Retry-After, and another key is not affected")
    void request_rate() {
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> limited = null;
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> response = Http.post(app.chatUrl(), KEY_1, Http.chat("mock-fast", "rate " + i));
        statuses.add(response.statusCode());
        if (response.statusCode() == 429 && limited == null) {
          limited = response;
        }
      }
      assertThat(statuses).contains(200).contains(429);
      assertThat(limited).isNotNull();
      assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
      assertThat(ChatCompletionsTest.errorOf(limited).getString("code")).isEqualTo("rate_limit_exceeded");
      assertThat(count(registry, "agentloop_rate_limited", "limit", "requests")).isPositive();
      assertThat(Http.post(app.chatUrl(), KEY_3, Http.chat("mock-fast", "other key")).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a second concurrent stream for the same key is a 429; it is admitted again once the first ends")
    void concurrent_streams() throws Exception {
      CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() ->
          Http.post(app.chatUrl(), KEY_2, Http.chat("held", "first").put("stream", true)));
      Await.until("the first stream is open", Duration.ofSeconds(10), () ->
          registry.get("agentloop_streams_in_flight").tag("front", "gateway").gauge().value() >= 1);
      HttpResponse<String> second = Await.value("a non-rate-limited answer", Duration.ofSeconds(10),
          () -> Http.post(app.chatUrl(), KEY_2, Http.chat("held", "second").put("stream", true)),
          r -> r.statusCode() != 429 || ChatCompletionsTest.errorOf(r).getString("message").contains("concurrent"));
      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(count(registry, "agentloop_admission_rejected", "kind", "stream", "scope", "client")).isPositive();
      assertThat(Sse.parse(first.get().body()).done()).isTrue();
      HttpResponse<String> third = Await.value("a stream admitted", Duration.ofSeconds(10),
          () -> Http.post(app.chatUrl(), KEY_2, Http.chat("mock-fast", "third").put("stream", true)),
          r -> r.statusCode() != 429);
      assertThat(Sse.parse(third.body()).done()).isTrue();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("limits and slow clients")
  class Limits {

    @AutoClose
    private TestApp app;
    private MeterRegistry registry;

    @BeforeAll
    void start() {
      app = TestApp.start(new JsonObject()
          .put("llm", new JsonObject().put("models", models()).put("stream", new JsonObject().put("max_batch_tokens", 64)))
          .put("gateway", new JsonObject().put("limits", new JsonObject()
              .put("max_messages", 5).put("max_message_chars", 1000).put("max_json_depth", 8)
              .put("request_timeout_ms", 600).put("sse_keepalive_ms", 300).put("slow_reader_timeout_ms", 2000))));
      registry = app.registry();
    }

    @Test
    @DisplayName("too many messages, too long a message, or too deep a JSON body are 400s naming the limit")
    void request_limits() {
      JsonObject many = Http.chat("mock-fast", "1");
      for (int i = 0; i < 5; i++) {
        many.getJsonArray("messages").add(new JsonObject().put("role", "user").put("content", "more"));
      }
      HttpResponse<String> tooMany = Http.post(app.chatUrl(), many);
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(ChatCompletionsTest.errorOf(tooMany).getString("code")).isEqualTo("array_above_max_length");
      HttpResponse<String> tooLong = Http.post(app.chatUrl(), Http.chat("mock-fast", "x".repeat(1001)));
      assertThat(tooLong.statusCode()).isEqualTo(400);
      assertThat(ChatCompletionsTest.errorOf(tooLong).getString("param")).isEqualTo("messages[0].content");
      String deep = "{\"model\":\"mock-fast\",\"x\":" + "[".repeat(50) + "]".repeat(50) + "}";
      HttpResponse<String> tooDeep = Http.post(app.chatUrl(), deep);
      assertThat(tooDeep.statusCode()).isEqualTo(400);
      assertThat(ChatCompletionsTest.errorOf(tooDeep).getString("code")).isEqualTo("json_too_deep");
    }

    @Test
    @DisplayName("headers over the limit are a 431 in OpenAI's error shape")
    void header_too_large() {
      HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(app.chatUrl()))
          .header("content-type", "application/json").header("x-padding", "p".repeat(10_000))
          .POST(HttpRequest.BodyPublishers.ofString(Http.chat("mock-fast", "hi").encode())).build());
      assertThat(response.statusCode()).isEqualTo(431);
      assertThat(ChatCompletionsTest.errorOf(response).getString("code")).isEqualTo("headers_too_large");
    }

    @Test
    @DisplayName("a slow-loris client that never finishes its headers, or its body, is disconnected")
    void slow_loris() throws Exception {
      int port = app.app().gatewayPort();
      for (String partial : List.of(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n",
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\":")) {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("127.0.0.1", port));
          socket.setSoTimeout(15_000);
          OutputStream out = socket.getOutputStream();
          out.write(partial.getBytes(StandardCharsets.US_ASCII));
          out.flush();
          InputStream in = socket.getInputStream();
          // the server must close the connection (EOF) rather than wait for the rest forever
          assertThat(in.readAllBytes()).isNotNull();
          assertThat(in.read()).isEqualTo(-1);
        }
      }
      assertThat(Http.post(app.chatUrl(), Http.chat("mock-fast", "still serving")).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("while a stream waits for its first token, SSE comments keep it alive and the stream stays well formed")
    void keep_alive_comments() {
      HttpResponse<String> response = Http.post(app.chatUrl(), Http.chat("late", "wait for it").put("stream", true));
      assertThat(response.statusCode()).isEqualTo(200);
      Sse.Stream stream = Sse.parse(response.body());
      assertThat(stream.comments()).isGreaterThanOrEqualTo(2);
      assertThat(stream.done()).isTrue();
      assertThat(stream.contentEvents()).hasSize(3);
    }

    @Test
    @DisplayName("content that could break SSE framing is encoded so every event is valid JSON and the text survives")
    void hostile_content_keeps_framing() {
      String hostile = "data: [DONE] \"quoted\" \\back\\slash </script> \u2028line\u2029sep \u0000nul emoji\uD83D\uDE00 "
          + "event: x id: 1 retry: 0 :comment {\"error\":1} \r\r \ud800lone";
      JsonObject request = Http.chat("mock-echo", hostile).put("stream", true);
      HttpResponse<String> response = Http.post(app.chatUrl(), request);
      assertThat(response.statusCode()).isEqualTo(200);
      Sse.Stream stream = Sse.parse(response.body());
      assertThat(stream.done()).isTrue();
      assertThat(stream.error()).isNull();
      String expected = String.join(" ", hostile.trim().split("\\s+")).replace("\ud800", "?");
      assertThat(stream.content()).isEqualTo(expected);
    }

    @Test
    @DisplayName("a body that is not valid UTF-8 is a 400, not a 5xx")
    void invalid_utf8() {
      byte[] body = "{\"model\":\"mock-fast\",\"messages\":[{\"role\":\"user\",\"content\":\"\u00ff\u00fe\"}]}"
          .getBytes(StandardCharsets.ISO_8859_1);
      HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(app.chatUrl()))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
      assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    @DisplayName("hundreds of clients that stop reading hold their producers paused, then are ended by the slow-reader cap")
    void slow_readers_are_bounded() throws Exception {
      int readers = 200;
      double cancelledBefore = count(registry, "agentloop_llm_generations", "model", "endless", "outcome", "cancelled");
      List<Socket> sockets = new ArrayList<>();
      try {
        byte[] request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: %d\r\n\r\n%s").formatted(Http.chat("endless", "flood").put("stream", true).encode().length(),
            Http.chat("endless", "flood").put("stream", true).encode()).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < readers; i++) {
          Socket socket = new Socket();
          socket.setReceiveBufferSize(4096);
          socket.connect(new InetSocketAddress("127.0.0.1", app.app().gatewayPort()));
          socket.getOutputStream().write(request);
          socket.getOutputStream().flush();
          sockets.add(socket);
        }
        // Without back-pressure a zero-delay model would finish 100,000 tokens per stream at once.
        Await.until("every stream is open", Duration.ofSeconds(30), () ->
            registry.get("agentloop_streams_in_flight").tag("front", "gateway").gauge().value() == readers);
        double generated = registry.get("agentloop_llm_tokens_generated").tag("model", "endless").counter().count();
        assertThat(generated / readers).isLessThan(100_000 / 4.0);
        assertThat(count(registry, "agentloop_llm_generations", "model", "endless", "outcome", "completed")).isZero();
        // the slow-reader cap ends them all with their producers stopped
        Await.until("every stalled stream is ended", Duration.ofSeconds(30), () ->
            count(registry, "agentloop_llm_generations", "model", "endless", "outcome", "cancelled") - cancelledBefore == readers);
        Await.until("no stream is left open", Duration.ofSeconds(30), () ->
            registry.get("agentloop_streams_in_flight").tag("front", "gateway").gauge().value() == 0);
      } finally {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
      assertThat(Http.post(app.chatUrl(), Http.chat("mock-fast", "healthy after")).statusCode()).isEqualTo(200);
    }
  }
}
