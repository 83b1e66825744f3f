package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Prometheus;
import dev.agentloop.testkit.RawHttp;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /v1/jobs/{id}/events} with back-pressure: a watcher that does not read holds a bounded
 * buffer (progress coalesced, item payloads dropped and counted), is ended after the slow-reader
 * timeout, and watchers are capped per job and in all.
 */
class JobWatchersTest {

  private static final JsonArray MODELS = new JsonArray()
      .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
      .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 20).put("tokens", 5000));

  private static TestApp start(JsonObject gateway) {
    return TestApp.start(new JsonObject().put("llm", new JsonObject().put("models", MODELS)).put("gateway", gateway));
  }

  private static String events(String id) {
    return "/v1/jobs/" + id + "/events";
  }

  private static double metric(TestApp app, String name) {
    return Prometheus.parse(Http.get(app.gatewayUrl() + "/metrics").body()).sum(name, Map.of());
  }

  /** The heap in use after a full collection, as the app's own metrics report it. */
  private static double heapAfterGc(TestApp app) {
    System.gc();
    System.gc();
    return Prometheus.parse(Http.get(app.gatewayUrl() + "/metrics").body())
        .sum("jvm_memory_used_bytes", Map.of("area", "heap"));
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("clients that stop reading")
  class SlowWatchers {

    private TestApp app;

    @BeforeAll
    void start() {
      app = JobWatchersTest.start(new JsonObject().put("limits", new JsonObject().put("slow_reader_timeout_ms", 120_000)));
    }

    @AfterAll
    void stop() {
      app.close();
    }

    @Test
    @DisplayName("eight watchers that never read keep the heap bounded while the job writes 13 MB of answers")
    void non_reading_watchers_keep_the_heap_bounded() {
      double before = heapAfterGc(app);
      // 40 answers of 50,000 tokens: about 13 MB of completions
      String id = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-fast", 40, 4, 50_000)).getString("id");
      List<RawHttp> watchers = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          watchers.add(RawHttp.get(app.app().gatewayPort(), events(id)));
        }
        Await.until("eight watchers follow the job", Duration.ofSeconds(10),
            () -> metric(app, "agentloop_job_watchers") == 8);
        JsonObject job = Jobs.awaitFinished(app.gatewayUrl(), id, Duration.ofSeconds(120));
        assertThat(job.getString("status")).isEqualTo("completed");
        assertThat(job.getJsonObject("progress").getInteger("succeeded")).isEqualTo(40);
        double grown = heapAfterGc(app) - before;
        // each watcher holds at most its bounded buffer; before, every watcher pinned the whole output
        assertThat(grown).as("heap growth in bytes").isLessThan(40e6);
        assertThat(metric(app, "agentloop_job_watchers_buffered_bytes")).isLessThanOrEqualTo(8 * 1.5e6);
      } finally {
        watchers.forEach(RawHttp::close);
      }
      Await.until("the watchers that left are gone", Duration.ofSeconds(10),
          () -> metric(app, "agentloop_job_watchers") == 0);
    }

    @Test
    @DisplayName("a watcher that reads only later gets the latest progress and the end; dropped items are counted")
    void a_late_reader_gets_the_latest_state_and_the_end() {
      // 600 answers of 2,000 tokens: about 8 MB of item events, more than the socket buffers and the watcher's buffer
      String id = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-fast", 600, 16, 2_000)).getString("id");
      try (RawHttp watcher = RawHttp.get(app.app().gatewayPort(), events(id))) {
        assertThat(Jobs.awaitFinished(app.gatewayUrl(), id, Duration.ofSeconds(120)).getString("status"))
            .isEqualTo("completed");
        Sse.Stream stream = Sse.parse(watcher.readBody());
        assertThat(stream.done()).isTrue();
        List<JsonObject> events = stream.events();
        JsonObject last = events.get(events.size() - 1);
        assertThat(last.getString("status")).isEqualTo("completed");
        assertThat(last.getJsonObject("progress").getInteger("done")).isEqualTo(600);
        long items = events.stream().filter(e -> e.containsKey("item")).count();
        int dropped = last.getInteger("items_dropped", 0);
        int doneBeforeWatching = events.get(0).getJsonObject("progress").getInteger("done");
        assertThat(dropped).as("item payloads dropped for the slow reader").isPositive();
        assertThat(items + dropped).as("every item after the first state either delivered or counted as dropped")
            .isEqualTo(600 - doneBeforeWatching);
        int lastDone = -1;
        for (JsonObject event : events) {
          int done = event.getJsonObject("progress").getInteger("done");
          assertThat(done).isGreaterThanOrEqualTo(lastDone);
          lastDone = done;
        }
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("the slow-reader timeout and the caps")
  class Bounds {

    private TestApp app;

    @BeforeAll
    void start() {
      app = JobWatchersTest.start(new JsonObject()
          .put("limits", new JsonObject().put("slow_reader_timeout_ms", 1_500))
          .put("jobs", new JsonObject().put("watchers_per_job", 2).put("watchers_total", 3)));
    }

    @AfterAll
    void stop() {
      app.close();
    }

    @Test
    @DisplayName("a watcher stuck past the slow-reader timeout is ended and the job goes on")
    void a_stuck_watcher_is_ended() {
      String id = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-fast", 600, 16, 2_000)).getString("id");
      try (RawHttp watcher = RawHttp.get(app.app().gatewayPort(), events(id))) {
        Await.until("the watcher is registered", Duration.ofSeconds(10),
            () -> metric(app, "agentloop_job_watchers") == 1);
        Await.until("the stuck watcher is ended", Duration.ofSeconds(30),
            () -> metric(app, "agentloop_job_watchers") == 0);
        assertThat(Jobs.awaitFinished(app.gatewayUrl(), id, Duration.ofSeconds(120)).getString("status"))
            .isEqualTo("completed");
        // the server ended the response and closed the connection: the client reads to the end, no timeout
        watcher.readBody();
        assertThat(watcher.endedByServer()).isTrue();
      }
    }

    @Test
    @DisplayName("watchers are capped per job and in all: past a cap 429 with Retry-After; a watcher leaving frees its place")
    void watchers_are_capped() {
      String first = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-long", 1, 1)).getString("id");
      String second = Jobs.create(app.gatewayUrl(), Jobs.batch("mock-long", 1, 1)).getString("id");
      List<RawHttp> open = new ArrayList<>();
      try {
        for (String id : List.of(first, first, second)) {
          RawHttp watcher = RawHttp.get(app.app().gatewayPort(), events(id));
          open.add(watcher);
          assertThat(watcher.status()).isEqualTo(200);
        }
        HttpResponse<String> perJob = Http.get(app.gatewayUrl() + events(first));
        assertThat(perJob.statusCode()).isEqualTo(429);
        assertThat(perJob.headers().firstValue("retry-after")).isPresent();
        assertThat(ChatCompletionsTest.errorOf(perJob).getString("message")).contains("per job");
        HttpResponse<String> total = Http.get(app.gatewayUrl() + events(second));
        assertThat(total.statusCode()).isEqualTo(429);
        assertThat(ChatCompletionsTest.errorOf(total).getString("message")).contains("in all");
        open.remove(0).close();
        Await.until("the place is free again", Duration.ofSeconds(10),
            () -> metric(app, "agentloop_job_watchers") == 2);
        try (RawHttp again = RawHttp.get(app.app().gatewayPort(), events(first))) {
          assertThat(again.status()).isEqualTo(200);
        }
      } finally {
        open.forEach(RawHttp::close);
        Http.delete(app.gatewayUrl() + "/v1/jobs/" + first);
        Http.delete(app.gatewayUrl() + "/v1/jobs/" + second);
      }
    }
  }
}
