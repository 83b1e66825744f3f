package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.ChildJvm;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code Main} as a real process: start-up lines, start-up failures, and SIGTERM. */
class LauncherProcessTest {

  private static Map<String, String> env(int httpPort, int llmPort) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("AGENTLOOP_HTTP_PORT", String.valueOf(httpPort));
    env.put("AGENTLOOP_LLM_HTTP_PORT", String.valueOf(llmPort));
    env.put("AGENTLOOP_DATA_DIR", Files.createTempDirectory("agentloop-process-").toString());
    env.put("AGENTLOOP_SHUTDOWN_GRACE_MS", "8000");
    env.put("AGENTLOOP_SHUTDOWN_PRE_STOP_DELAY_MS", "0");
    return env;
  }

  @Test
  @DisplayName("a bad configuration value is one clear error line and exit code 2")
  void bad_config_value() throws Exception {
    Map<String, String> env = env(TestApp.freePort(), TestApp.freePort());
    env.put("AGENTLOOP_HTTP_PORT", "eighty");
    try (ChildJvm process = ChildJvm.agentloop(env)) {
      assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(process.output()).anySatisfy(line -> assertThat(line)
          .contains("bad configuration").contains("AGENTLOOP_HTTP_PORT").contains("eighty"));
      assertThat(process.output()).noneMatch(line -> line.startsWith("\tat "));
    }
  }

  @Test
  @DisplayName("a retired gateway.retry key in the configuration file stops the start with one line naming its replacement")
  void retired_retry_key() throws Exception {
    Map<String, String> env = env(TestApp.freePort(), TestApp.freePort());
    Path file = Files.createTempFile("agentloop-retired-", ".yaml");
    Files.writeString(file, "gateway:\n  retry:\n    backoff_ms: 20\n");
    env.put("AGENTLOOP_CONFIG", file.toString());
    try (ChildJvm process = ChildJvm.agentloop(env)) {
      assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(process.output()).anySatisfy(line -> assertThat(line).contains("bad configuration")
          .contains("gateway.retry.backoff_ms is no longer supported: use gateway.resilience.retries.base_delay_ms"));
      assertThat(process.output()).noneMatch(line -> line.startsWith("\tat "));
    }
  }

  @Test
  @DisplayName("a port already in use is one clear error line naming the service and a non-zero exit")
  void port_in_use() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
      Map<String, String> env = env(taken.getLocalPort(), TestApp.freePort());
      try (ChildJvm process = ChildJvm.agentloop(env)) {
        assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        List<String> errors = process.output().stream().filter(l -> l.contains("could not start")).toList();
        assertThat(errors).singleElement().satisfies(line -> assertThat(line).contains("gateway").contains("port"));
        assertThat(process.output()).noneMatch(line -> line.startsWith("\tat "));
      }
    }
  }

  @Test
  @DisplayName("it logs one line per service, and SIGTERM lets an in-flight stream finish with [DONE] before exit 0")
  void sigterm_drains_streams() throws Exception {
    int port = TestApp.freePort();
    int llmPort = TestApp.freePort();
    try (ChildJvm process = ChildJvm.agentloop(env(port, llmPort))) {
      process.awaitLine("agentloop: started", Duration.ofSeconds(60));
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("gateway listening on http://").contains(":" + port));
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("llm-service OpenAI-compatible HTTP").contains(":" + llmPort));
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("llm-service ready"));
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("storage-service ready"));

      // mock-realistic: first token at 200 ms, then 32 tokens 20 ms apart: well inside the grace period
      CompletableFuture<HttpResponse<String>> stream = CompletableFuture.supplyAsync(() -> Http.post(
          "http://127.0.0.1:" + port + "/v1/chat/completions",
          Http.chat("mock-realistic", "finish me").put("stream", true)));
      // wait until the stream is really in flight: its generation is counted by the llm-service
      Await.until("the stream is in flight", Duration.ofSeconds(20), () ->
          Http.get("http://127.0.0.1:" + port + "/metrics").body().lines()
              .anyMatch(l -> l.startsWith("agentloop_llm_generations_active") && !l.endsWith(" 0.0")));
      process.terminate();
      HttpResponse<String> response = stream.get();
      assertThat(response.statusCode()).isEqualTo(200);
      Sse.Stream events = Sse.parse(response.body());
      assertThat(events.done()).isTrue();
      assertThat(events.contentEvents()).hasSize(32);
      int exit = process.awaitExit(Duration.ofSeconds(60));
      assertThat(exit).isZero();
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("SIGTERM received"));
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("agentloop: stopped"));
    }
  }

  @Test
  @DisplayName("a stream longer than the grace period gets an error event as its terminal message, and the exit is still 0")
  void sigterm_grace_runs_out() throws Exception {
    int port = TestApp.freePort();
    Map<String, String> env = env(port, TestApp.freePort());
    env.put("AGENTLOOP_SHUTDOWN_GRACE_MS", "1500");
    try (ChildJvm process = ChildJvm.agentloop(env)) {
      process.awaitLine("agentloop: started", Duration.ofSeconds(60));
      // mock-slow: first token after 5 s, then 32 tokens 50 ms apart: far longer than the grace period
      CompletableFuture<HttpResponse<String>> stream = CompletableFuture.supplyAsync(() -> Http.post(
          "http://127.0.0.1:" + port + "/v1/chat/completions", Http.chat("mock-slow", "too long").put("stream", true)));
      Await.until("the stream is in flight", Duration.ofSeconds(20), () ->
          Http.get("http://127.0.0.1:" + port + "/metrics").body().lines()
              .anyMatch(l -> l.startsWith("agentloop_llm_generations_active") && !l.endsWith(" 0.0")));
      process.terminate();
      HttpResponse<String> response = stream.get();
      // before its first token the answer is still an HTTP status; once started, an error event
      JsonObject error;
      if (response.statusCode() == 200) {
        Sse.Stream events = Sse.parse(response.body());
        assertThat(events.done()).isFalse();
        error = events.error();
      } else {
        assertThat(response.statusCode()).isEqualTo(503);
        error = new JsonObject(response.body()).getJsonObject("error");
      }
      assertThat(error).isNotNull();
      assertThat(error.getString("message")).contains("shutting down");
      assertThat(process.awaitExit(Duration.ofSeconds(60))).isZero();
    }
  }

  /** A request on a connection of its own, as a load balancer's new connection would be. */
  private static HttpResponse<String> fresh(String url, String body) {
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
      request = body == null ? request.GET()
          : request.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean refused(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  @DisplayName("after SIGTERM readiness is 503 while new requests are still served for the pre-stop delay; then new "
      + "connections are refused and the stream in flight still ends with [DONE]")
  void sigterm_pre_stop_delay() throws Exception {
    int port = TestApp.freePort();
    int llmPort = TestApp.freePort();
    Map<String, String> env = env(port, llmPort);
    env.put("AGENTLOOP_SHUTDOWN_PRE_STOP_DELAY_MS", "3000");
    Path config = Files.createTempFile("agentloop-drain-", ".yaml");
    // 40 tokens 100 ms apart: the stream outlives the pre-stop delay, then drains within the grace period
    Files.writeString(config, """
        llm:
          models:
            - { id: mock-fast, first_token_ms: 0, per_token_ms: 0, tokens: 16 }
            - { id: drain, first_token_ms: 0, per_token_ms: 100, tokens: 40 }
        """);
    env.put("AGENTLOOP_CONFIG", config.toString());
    String base = "http://127.0.0.1:" + port;
    try (ChildJvm process = ChildJvm.agentloop(env)) {
      process.awaitLine("agentloop: started", Duration.ofSeconds(60));
      assertThat(fresh(base + "/health/ready", null).statusCode()).isEqualTo(200);
      CompletableFuture<HttpResponse<String>> stream = CompletableFuture.supplyAsync(() ->
          fresh(base + "/v1/chat/completions", Http.chat("drain", "outlive the delay").put("stream", true).encode()));
      Await.until("the stream is in flight", Duration.ofSeconds(20), () ->
          fresh(base + "/metrics", null).body().lines()
              .anyMatch(l -> l.startsWith("agentloop_llm_generations_active") && !l.endsWith(" 0.0")));
      process.terminate();

      Await.until("readiness answers 503", Duration.ofSeconds(10), () -> {
        if (refused(port)) {
          throw new AssertionError("new connections were refused before readiness ever answered 503");
        }
        return fresh(base + "/health/ready", null).statusCode() == 503;
      });
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> chat = fresh(base + "/v1/chat/completions", Http.chat("mock-fast", "still here " + i).encode());
        assertThat(chat.statusCode()).as("a new request during the pre-stop delay").isEqualTo(200);
        assertThat(fresh(base + "/health/ready", null).statusCode()).isEqualTo(503);
        assertThat(fresh("http://127.0.0.1:" + llmPort + "/v1/models", null).statusCode()).as("the mock port too")
            .isEqualTo(200);
      }
      assertThat(stream.isDone()).as("the stream is still in flight after the pre-stop checks").isFalse();

      Await.until("new connections are refused", Duration.ofSeconds(15),
          () -> refused(port));
      HttpResponse<String> response = stream.get();
      assertThat(response.statusCode()).isEqualTo(200);
      Sse.Stream events = Sse.parse(response.body());
      assertThat(events.done()).isTrue();
      assertThat(events.contentEvents()).hasSize(40);
      assertThat(process.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(process.output()).anySatisfy(l -> assertThat(l).contains("agentloop: stopped"));
    }
  }
}
