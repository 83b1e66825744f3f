package dev.agentloop.it.observe;

import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.stream.Stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.contract.Addresses;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Prometheus;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GET /metrics and Server-Timing")
class MetricsEndpointTest {

  private static final Pattern TIMING = Pattern.compile("gateway;dur=([0-9.]+), model;dur=([0-9.]+)");
  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  private static Prometheus scrape() {
    HttpResponse<String> response = Http.get(app.gatewayUrl() + "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return Prometheus.parse(response.body());
  }

  @Test
  @DisplayName("the event-bus series of agentloop.llm.stream count exactly the chat requests sent")
  void event_bus_series_count_the_requests_sent() {
    Map<String, String> stream = Map.of("address", Addresses.LLM_STREAM, "side", "local");
    Prometheus before = scrape();
    int plain = 7;
    int streamed = 5;
    for (int i = 0; i < plain; i++) {
      assertThat(Http.post(app.gatewayUrl() + "/v1/chat/completions", Http.chat("mock-fast", "plain " + i)).statusCode())
          .isEqualTo(200);
    }
    for (int i = 0; i < streamed; i++) {
      assertThat(Http.post(app.gatewayUrl() + "/v1/chat/completions",
          Http.chat("mock-fast", "streamed " + i).put("stream", true)).statusCode()).isEqualTo(200);
    }
    Prometheus after = scrape();

    for (String series : new String[] {"vertx_eventbus_sent_total", "vertx_eventbus_received_total",
        "vertx_eventbus_delivered_total", "vertx_eventbus_processed_total"}) {
      assertThat(after.sum(series, stream) - before.sum(series, stream)).as(series).isEqualTo(plain + streamed);
    }
    assertThat(after.sum("vertx_eventbus_handlers", Map.of("address", Addresses.LLM_STREAM))).isEqualTo(2);
    assertThat(after.sum("vertx_eventbus_pending", stream)).isZero();
    assertThat(after.sum("vertx_http_server_requests_total", Map.of("method", "POST", "code", "200"))
        - before.sum("vertx_http_server_requests_total", Map.of("method", "POST", "code", "200")))
        .isEqualTo(plain + streamed);
    assertThat(after.sum("agentloop_tokens_streamed_total", Map.of("front", "gateway", "model", "mock-fast"))
        - before.sum("agentloop_tokens_streamed_total", Map.of("front", "gateway", "model", "mock-fast")))
        .isEqualTo(streamed * 16);
    assertThat(after.has("agentloop_streams_in_flight", Map.of("front", "gateway"))).isTrue();
    assertThat(after.has("jvm_memory_used_bytes", Map.of("area", "heap"))).isTrue();
    assertThat(after.has("netty_eventexecutor_tasks_pending", Map.of("name", "vert.x-eventloop-thread-0"))).isTrue();
  }

  @Test
  @DisplayName("every event loop has a lag histogram and a recent-max gauge")
  void every_event_loop_has_lag_series() {
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    Prometheus metrics = scrape();
    for (int i = 0; i < loops; i++) {
      Map<String, String> thread = Map.of("thread", "vert.x-eventloop-thread-" + i);
      assertThat(metrics.has("agentloop_eventloop_lag_seconds_count", thread)).as("lag of loop " + i).isTrue();
      assertThat(metrics.has("agentloop_eventloop_lag_recent_max_seconds", thread)).as("max of loop " + i).isTrue();
    }
  }

  @Test
  @DisplayName("a plain completion's Server-Timing separates the model's 200 ms+ from the gateway's own time")
  void server_timing_on_a_plain_completion() {
    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/chat/completions",
        Http.chat("mock-realistic", "time me").put("max_tokens", 3));
    assertThat(response.statusCode()).isEqualTo(200);
    double[] timing = timing(response);
    // mock-realistic's first token comes after a 200 ms timer (which may fire a hair early), then 20 ms
    // per token: that wait is the model's
    assertThat(timing[1]).isGreaterThanOrEqualTo(190);
    assertThat(timing[0]).isGreaterThanOrEqualTo(0);
  }

  @Test
  @DisplayName("a stream's Server-Timing reports the time to first token as model time")
  void server_timing_on_a_stream() {
    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/chat/completions",
        Http.chat("mock-realistic", "time me").put("max_tokens", 3).put("stream", true));
    assertThat(response.statusCode()).isEqualTo(200);
    double[] timing = timing(response);
    assertThat(timing[1]).isGreaterThanOrEqualTo(190).isLessThan(200 + 3 * 20 + 5_000);
  }

  @Test
  @DisplayName("errors, health and unknown paths carry Server-Timing too, with no model time")
  void server_timing_everywhere() {
    for (HttpResponse<String> response : new HttpResponse[] {Http.get(app.gatewayUrl() + "/nope"),
        Http.get(app.gatewayUrl() + "/health/live"),
        Http.post(app.gatewayUrl() + "/v1/chat/completions", "{not json")}) {
      assertThat(timing(response)[1]).as(response.uri().toString()).isZero();
    }
  }

  @Test
  @DisplayName("the dashboard feed streams one JSON snapshot per second with every loop and agentloop's addresses")
  void dashboard_feed_streams_snapshots() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/admin/feed"))
        .timeout(Duration.ofSeconds(30)).GET().build();
    HttpResponse<Stream<String>> response = Http.client().send(request,
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<JsonObject> snapshots;
    try (Stream<String> lines = response.body()) {
      snapshots = lines.filter(l -> l.startsWith("data: ")).limit(2).map(l -> new JsonObject(l.substring(6))).toList();
    }
    JsonObject second = snapshots.get(1);
    assertThat(second.getDouble("interval_s")).isGreaterThan(0);
    assertThat(second.getJsonArray("loops")).hasSize(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
    JsonObject stream = second.getJsonArray("eventbus").stream().map(JsonObject.class::cast)
        .filter(a -> Addresses.LLM_STREAM.equals(a.getString("address"))).findFirst().orElseThrow();
    assertThat(stream.getDouble("handlers")).isEqualTo(2);
    assertThat(second.getJsonObject("http").containsKey("requests_per_s")).isTrue();
    assertThat(second.getJsonObject("blocked").getLong("total")).isNotNull();
  }

  @Test
  @DisplayName("without an admin key, admin routes answer loopback clients")
  void admin_routes_answer_loopback_without_a_key() {
    assertThat(Http.get(app.gatewayUrl() + "/admin/blocked-threads").statusCode()).isEqualTo(200);
    assertThat(Http.get(app.gatewayUrl() + "/dashboard").body()).contains("agentloop");
  }

  @Test
  @DisplayName("the demo routes do not exist unless switched on")
  void demo_routes_are_404_when_off() {
    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/admin/demo/block?ms=50", "");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Http.json(response).getJsonObject("error").getString("message")).contains("/admin/demo/block");
  }

  private static double[] timing(HttpResponse<String> response) {
    String header = response.headers().firstValue("server-timing").orElseThrow(
        () -> new AssertionError("no Server-Timing on " + response.uri()));
    Matcher m = TIMING.matcher(header);
    assertThat(m.matches()).as(header).isTrue();
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
  }

  static HttpResponse<String> get(String url, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return Http.send(request.build());
  }

  static JsonObject error(HttpResponse<String> response) {
    return Http.json(response).getJsonObject("error");
  }
}
