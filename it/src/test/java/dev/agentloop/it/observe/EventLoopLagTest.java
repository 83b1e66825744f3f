package dev.agentloop.it.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Prometheus;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The learners' demo against the lag probe and the blocked-thread checker, with a checker that
 * looks every 50 ms and calls 200 ms on one task a block.
 */
@DisplayName("Event-loop lag and blocked-thread detection, watched through the demo switch")
class EventLoopLagTest {

  private static final int BLOCK_MS = 600;
  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("observability", new JsonObject()
        .put("blocked_thread_check_interval_ms", 50)
        .put("max_event_loop_execute_time_ms", 200)
        .put("demo_enabled", true)));
  }

  private static Prometheus scrape() {
    return Prometheus.parse(Http.get(app.gatewayUrl() + "/metrics").body());
  }

  private static double recentLag(Prometheus metrics, String thread) {
    return metrics.sum("agentloop_eventloop_lag_recent_max_seconds", Map.of("thread", thread));
  }

  private static void awaitAllLoopsAtRest() {
    // near zero next to the demo's 600 ms; generous because the test machine may be busy
    Await.until("every event loop's recent lag under 100 ms", Duration.ofSeconds(60), () -> {
      Prometheus metrics = scrape();
      for (int i = 0; i < VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE; i++) {
        if (!metrics.has("agentloop_eventloop_lag_recent_max_seconds", Map.of("thread", "vert.x-eventloop-thread-" + i))
            || recentLag(metrics, "vert.x-eventloop-thread-" + i) >= 0.100) {
          return false;
        }
      }
      return true;
    });
  }

  private static long demoEvents() {
    JsonArray events = Http.json(Http.get(app.gatewayUrl() + "/admin/blocked-threads")).getJsonArray("events");
    return events.stream().map(JsonObject.class::cast)
        .filter(e -> e.getJsonArray("stack").stream().anyMatch(f -> String.valueOf(f).contains("DemoWork"))).count();
  }

  @Test
  @DisplayName("at rest every loop's lag is near zero; blocking one for 600 ms shows ~600 ms lag and counts a block")
  void blocking_demo_shows_lag_and_a_blocked_thread_event() {
    awaitAllLoopsAtRest();

    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/admin/demo/block?ms=" + BLOCK_MS, "");
    assertThat(response.statusCode()).isEqualTo(200);
    String loop = Http.json(response).getString("event_loop");
    assertThat(loop).startsWith("vert.x-eventloop-thread-");
    assertThat(Http.json(response).getString("ran_on")).isEqualTo(loop);

    Map<String, String> thread = Map.of("thread", loop);
    Prometheus after = Await.value("the block counted on " + loop, Duration.ofSeconds(10), EventLoopLagTest::scrape,
        m -> m.sum("agentloop_blocked_thread_events_total", thread) >= 1);
    // the probe's tick due during the block fired up to 600 ms late
    assertThat(after.sum("agentloop_eventloop_lag_seconds_max", thread)).isGreaterThanOrEqualTo(0.4);
    assertThat(after.sum("agentloop_eventloop_lag_seconds_bucket", Map.of("thread", loop, "le", "0.25")))
        .as("the late tick is above the 250 ms bucket")
        .isLessThan(after.sum("agentloop_eventloop_lag_seconds_count", thread));

    JsonObject blocked = Http.json(Http.get(app.gatewayUrl() + "/admin/blocked-threads"));
    JsonObject event = blocked.getJsonArray("events").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("thread").equals(loop)
            && e.getJsonArray("stack").stream().anyMatch(f -> String.valueOf(f).contains("DemoWork.pretendToWork")))
        .findFirst().orElseThrow(() -> new AssertionError("no DemoWork stack for " + loop + " in " + blocked));
    assertThat(event.getLong("blocked_ms")).isGreaterThanOrEqualTo(200);
    assertThat(event.getLong("limit_ms")).isEqualTo(200);
    assertThat(blocked.getLong("total")).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("the same 600 ms through executeBlocking runs on a worker and blocks no loop")
  void offload_twin_blocks_nothing() {
    awaitAllLoopsAtRest();
    long demoBlocksBefore = demoEvents();

    HttpResponse<String> response = Http.post(app.gatewayUrl() + "/admin/demo/offload?ms=" + BLOCK_MS, "");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject result = Http.json(response);
    assertThat(result.getString("event_loop")).startsWith("vert.x-eventloop-thread-");
    assertThat(result.getString("ran_on")).startsWith("vert.x-worker-thread-");
    assertThat(result.getLong("took_ms")).isGreaterThanOrEqualTo(BLOCK_MS);

    // the checker looks every 50 ms: a blocked loop would have been reported while the 600 ms ran
    assertThat(demoEvents()).isEqualTo(demoBlocksBefore);
  }

  @Test
  @DisplayName("the demo refuses a missing or out-of-range duration with a 400")
  void demo_rejects_bad_durations() {
    for (String query : new String[] {"", "?ms=", "?ms=abc", "?ms=0", "?ms=999999"}) {
      HttpResponse<String> response = Http.post(app.gatewayUrl() + "/admin/demo/block" + query, "");
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(MetricsEndpointTest.error(response).getString("param")).isEqualTo("ms");
    }
  }
}
