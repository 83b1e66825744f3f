package dev.agentloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.deploy.support.AgentloopProcess;
import dev.agentloop.deploy.support.Http;
import dev.agentloop.deploy.support.Sse;
import dev.agentloop.deploy.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
    return env;
  }

  @Test
  @DisplayName("a bad configuration value is one clear error line and exit code 2")
  void bad_config_value() throws Exception {
    Map<String, String> env = env(TestApp.freePort(), TestApp.freePort());
    env.put("AGENTLOOP_HTTP_PORT", "eighty");
    try (AgentloopProcess process = AgentloopProcess.start(env)) {
      assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(process.output()).anySatisfy(line -> assertThat(line)
          .contains("bad configuration").contains("AGENTLOOP_HTTP_PORT").contains("eighty"));
      assertThat(process.output()).noneMatch(line -> line.startsWith("\tat "));
    }
  }

  @Test
  @DisplayName("a port already in use is one clear error line naming the service and a non-zero exit")
  void port_in_use() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
      Map<String, String> env = env(taken.getLocalPort(), TestApp.freePort());
      try (AgentloopProcess process = AgentloopProcess.start(env)) {
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
    try (AgentloopProcess process = AgentloopProcess.start(env(port, llmPort))) {
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
      dev.agentloop.deploy.support.Await.until("the stream is in flight", Duration.ofSeconds(20), () ->
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
    try (AgentloopProcess process = AgentloopProcess.start(env)) {
      process.awaitLine("agentloop: started", Duration.ofSeconds(60));
      // mock-slow: first token after 5 s, then 32 tokens 50 ms apart: far longer than the grace period
      CompletableFuture<HttpResponse<String>> stream = CompletableFuture.supplyAsync(() -> Http.post(
          "http://127.0.0.1:" + port + "/v1/chat/completions", Http.chat("mock-slow", "too long").put("stream", true)));
      dev.agentloop.deploy.support.Await.until("the stream is in flight", Duration.ofSeconds(20), () ->
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
}
