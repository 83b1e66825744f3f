package dev.agentloop.deploy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.deploy.support.Http;
import dev.agentloop.deploy.support.Jobs;
import dev.agentloop.deploy.support.Sse;
import dev.agentloop.deploy.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Requests leave no metric series behind: nothing on the bus is addressed per job or per agent run. */
class MetricSeriesTest {

  private static final Pattern PER_REQUEST_ADDRESS = Pattern.compile("agentloop\\.[a-z]+\\.events\\.");
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** The sample lines of /metrics, without the JVM's own series (GC causes appear as the JVM meets them). */
  private static long series(String metrics) {
    return metrics.lines().filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("jvm_")).count();
  }

  /** Jobs followed to their end through their events, and streamed agent runs. */
  private static void round(int times) {
    for (int i = 0; i < times; i++) {
      String id = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-fast", 2, 2)).getString("id");
      Sse.Stream events = Sse.parse(Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/events").body());
      assertThat(events.done()).isTrue();
      assertThat(Jobs.awaitFinished(app.gatewayUrl(), id, Duration.ofSeconds(10)).getString("status"))
          .isEqualTo("completed");
      assertThat(Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/results?limit=1").statusCode()).isEqualTo(200);
      HttpResponse<String> run = Http.post(app.gatewayUrl() + "/v1/agent/runs",
          new JsonObject().put("model", "mock-fast").put("input", "go " + i).put("stream", true));
      assertThat(run.statusCode()).isEqualTo(200);
      assertThat(Sse.parse(run.body()).done()).isTrue();
    }
  }

  @Test
  @DisplayName("the series count stays flat after 100 jobs and 100 streamed agent runs, and no address is per request")
  void series_stay_flat() {
    round(1); // creates the fixed series: routes, addresses, status codes, and /metrics' own
    Http.get(app.gatewayUrl() + "/metrics");
    String before = Http.get(app.gatewayUrl() + "/metrics").body();
    round(100);
    String after = Http.get(app.gatewayUrl() + "/metrics").body();
    assertThat(series(after)).as("sample lines after 100 more rounds").isEqualTo(series(before));
    assertThat(PER_REQUEST_ADDRESS.matcher(after).find()).as("a per-request address in /metrics").isFalse();
  }
}
