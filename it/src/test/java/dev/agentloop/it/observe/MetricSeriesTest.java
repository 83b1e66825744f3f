package dev.agentloop.it.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Prometheus;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Requests leave no metric series behind: nothing on the bus is addressed per job or per agent run. */
class MetricSeriesTest {

  private static final Pattern PER_REQUEST_ADDRESS = Pattern.compile("agentloop\\.[a-z]+\\.events\\.");
  @AutoClose
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  /** The sample lines of /metrics, without the JVM's own series (GC causes appear as the JVM meets them). */
  private static long series(String metrics) {
    return metrics.lines().filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("jvm_")).count();
  }

  /**
   * Jobs followed to their end through their events, read back, and streamed agent runs; plus a job
   * finished long ago, read from storage alone, so that every path is taken whatever the timing.
   */
  private static void round(int times, String finishedLongAgo) {
    for (int i = 0; i < times; i++) {
      String id = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-fast", 2, 2)).getString("id");
      Sse.Stream events = Sse.parse(Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/events").body());
      assertThat(events.done()).isTrue();
      assertThat(Jobs.awaitFinished(app.gatewayUrl(), id, Duration.ofSeconds(10)).getString("status"))
          .isEqualTo("completed");
      assertThat(Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/results?limit=1").statusCode()).isEqualTo(200);
      assertThat(Jobs.get(app.gatewayUrl(), finishedLongAgo).getString("status")).isEqualTo("completed");
      assertThat(Sse.parse(Http.get(app.gatewayUrl() + "/v1/jobs/" + finishedLongAgo + "/events").body()).done())
          .isTrue();
      HttpResponse<String> run = Http.post(app.gatewayUrl() + "/v1/agent/runs",
          new JsonObject().put("model", "mock-fast").put("input", "go " + i).put("stream", true));
      assertThat(run.statusCode()).isEqualTo(200);
      assertThat(Sse.parse(run.body()).done()).isTrue();
    }
  }

  /** The series in {@code after} that {@code before} did not have, for the failure message. */
  private static List<String> added(String before, String after) {
    Set<String> known = names(before);
    return names(after).stream().filter(name -> !known.contains(name)).sorted().toList();
  }

  private static Set<String> names(String metrics) {
    return metrics.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("the series count stays flat after 100 jobs and 100 streamed agent runs, and no address is per request")
  void series_stay_flat() {
    String finished = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-fast", 1, 1)).getString("id");
    Jobs.awaitFinished(app.gatewayUrl(), finished, Duration.ofSeconds(10));
    // it gives its slot back as it leaves the jobs verticle's memory: from then on it is read from storage
    Await.until("the finished job has left memory", Duration.ofSeconds(10), () -> Prometheus.parse(
        Http.get(app.gatewayUrl() + "/metrics").body()).sum("agentloop_admission_in_use", Map.of("kind", "job")) == 0);
    round(1, finished); // creates the fixed series: routes, addresses, status codes, and /metrics' own
    String before = Http.get(app.gatewayUrl() + "/metrics").body();
    round(100, finished);
    String after = Http.get(app.gatewayUrl() + "/metrics").body();
    assertThat(series(after)).as("sample lines after 100 more rounds; new ones: %s", added(before, after))
        .isEqualTo(series(before));
    assertThat(PER_REQUEST_ADDRESS.matcher(after).find()).as("a per-request address in /metrics").isFalse();
  }
}
