package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.it.support.LocalAddresses;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The mock's own port is a front like the gateway: the same keys, rate limits and admin rule. */
@DisplayName("The mock port's guards")
class MockPortGuardsTest {

  private static final String KEY = "sk-mock-port-key";
  private static final String ADMIN = "mock-port-admin";

  private static HttpResponse<String> send(String url, String bearer, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (bearer != null) {
      request.header("authorization", "Bearer " + bearer);
    }
    request = body == null ? request.GET() : request.header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    return Http.send(request.build());
  }

  @Test
  @DisplayName("with API keys set, both fronts answer 401 without a key and 200 with one; /metrics needs the admin key")
  void keys_and_admin_on_both_fronts() {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("api_keys", new JsonArray().add(KEY)).put("admin_key", ADMIN)))) {
      for (String front : new String[] {app.gatewayUrl(), app.llmUrl()}) {
        String chat = front + "/v1/chat/completions";
        HttpResponse<String> keyless = send(chat, null, Http.chat("mock-fast", "hi"));
        assertThat(keyless.statusCode()).as(front).isEqualTo(401);
        assertThat(ChatCompletionsTest.errorOf(keyless).getString("code")).isEqualTo("invalid_api_key");
        assertThat(send(chat, "sk-wrong", Http.chat("mock-fast", "hi")).statusCode()).as(front).isEqualTo(401);
        assertThat(send(front + "/v1/models", null, null).statusCode()).as(front).isEqualTo(401);
        assertThat(send(chat, KEY, Http.chat("mock-fast", "hi")).statusCode()).as(front).isEqualTo(200);
        assertThat(send(chat, KEY, Http.chat("mock-fast", "hi").put("stream", true)).statusCode()).as(front)
            .isEqualTo(200);

        assertThat(send(front + "/metrics", null, null).statusCode()).as(front + "/metrics").isEqualTo(401);
        assertThat(send(front + "/metrics", KEY, null).statusCode()).as("an API key is no admin key").isEqualTo(401);
        HttpResponse<String> metrics = send(front + "/metrics", ADMIN, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("agentloop_llm_generations_total");
        assertThat(send(front + "/health/live", null, null).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  @DisplayName("the mock port enforces the per-client request rate with 429 and Retry-After")
  void rate_limits_on_the_mock_port() {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("rate_limits", new JsonObject().put("requests_per_second", 0.2).put("burst", 1))))) {
      assertThat(send(app.llmUrl() + "/v1/chat/completions", null, Http.chat("mock-fast", "1")).statusCode())
          .isEqualTo(200);
      HttpResponse<String> limited = send(app.llmUrl() + "/v1/chat/completions", null, Http.chat("mock-fast", "2"));
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).isPresent();
      assertThat(ChatCompletionsTest.errorOf(limited).getString("code")).isEqualTo("rate_limit_exceeded");
    }
  }

  @Test
  @DisplayName("by default the mock port binds loopback only; AGENTLOOP_LLM_HTTP_HOST changes it")
  void mock_port_binds_loopback_by_default() throws Exception {
    String host = ConfigLoader.defaults().getJsonObject("llm").getString("http_host");
    assertThat(host).isEqualTo("127.0.0.1");
    assertThat(ConfigLoader.load(Map.of("AGENTLOOP_LLM_HTTP_HOST", "0.0.0.0")).getJsonObject("llm")
        .getString("http_host")).isEqualTo("0.0.0.0");
    Optional<InetAddress> external = LocalAddresses.externalIpv4();
    assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to call from");
    try (TestApp app = TestApp.start(new JsonObject().put("llm", new JsonObject().put("http_host", host))
        .put("gateway", new JsonObject().put("host", "0.0.0.0")))) {
      int port = app.app().llmHttpPort();
      assertThatThrownBy(() -> connect(external.get(), port)).isInstanceOf(ConnectException.class);
      connect(InetAddress.getLoopbackAddress(), port);
      connect(external.get(), app.app().gatewayPort()); // the machine's address is reachable: only the mock is not
    }
  }

  private static void connect(InetAddress address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 5_000);
    }
  }
}
