package dev.agentloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.common.metrics.Metrics;
import dev.agentloop.deploy.support.Await;
import dev.agentloop.deploy.support.Http;
import dev.agentloop.deploy.support.Sse;
import dev.agentloop.deploy.support.TestApp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** /v1/jobs: background batches with a concurrency limit, progress events, cancel, and restarts. */
class JobsTest {

  private static final JsonArray MODELS = new JsonArray()
      .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
      .add(new JsonObject().put("id", "mock-realistic").put("first_token_ms", 200).put("per_token_ms", 20).put("tokens", 32))
      .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 20).put("tokens", 5000));

  private static TestApp app;
  private static MeterRegistry registry;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("llm", new JsonObject().put("models", MODELS)));
    registry = Metrics.registry(app.config());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static JsonObject batch(String model, int count, int concurrency) {
    JsonArray requests = new JsonArray();
    for (int i = 0; i < count; i++) {
      requests.add(Http.chat(model, "item " + i));
    }
    return new JsonObject().put("requests", requests).put("concurrency", concurrency);
  }

  private static JsonObject create(TestApp on, JsonObject batch) {
    HttpResponse<String> response = Http.post(on.gatewayUrl() + "/v1/jobs", batch);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonObject job = Http.json(response);
    assertThat(response.headers().firstValue("location")).hasValue("/v1/jobs/" + job.getString("id"));
    return job;
  }

  private static JsonObject get(TestApp on, String id) {
    HttpResponse<String> response = Http.get(on.gatewayUrl() + "/v1/jobs/" + id);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  @Test
  @DisplayName("a job answers 202 at once, runs within its concurrency limit and streams its progress to completion")
  void job_runs_to_completion_with_progress_events() {
    JsonObject job = create(app, batch("mock-realistic", 6, 2));
    assertThat(job.getString("id")).startsWith("job_");
    assertThat(job.getString("status")).isEqualTo("queued");
    assertThat(job.getJsonObject("progress").getInteger("total")).isEqualTo(6);
    assertThat(job.getJsonObject("progress").getInteger("done")).isZero();

    HttpResponse<String> events = Http.get(app.gatewayUrl() + "/v1/jobs/" + job.getString("id") + "/events");
    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(events.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    Sse.Stream stream = Sse.parse(events.body());
    assertThat(stream.done()).isTrue();
    List<JsonObject> progress = stream.events();
    assertThat(progress.size()).isGreaterThanOrEqualTo(3);
    int lastDone = -1;
    for (JsonObject event : progress) {
      assertThat(event.getString("object")).isEqualTo("job.progress");
      int done = event.getJsonObject("progress").getInteger("done");
      assertThat(done).isGreaterThanOrEqualTo(lastDone);
      assertThat(event.getJsonObject("progress").getInteger("running")).isLessThanOrEqualTo(2);
      lastDone = done;
    }
    JsonObject last = progress.get(progress.size() - 1);
    assertThat(last.getString("status")).isEqualTo("completed");
    assertThat(last.getJsonObject("progress").getInteger("done")).isEqualTo(6);

    JsonObject finished = get(app, job.getString("id"));
    assertThat(finished.getString("status")).isEqualTo("completed");
    assertThat(finished.getJsonObject("progress").getInteger("succeeded")).isEqualTo(6);
    // jobs by state, in the metrics
    assertThat(Http.get(app.gatewayUrl() + "/metrics").body().lines()
        .filter(l -> l.startsWith("agentloop_jobs{state=\"completed\"}"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()).isGreaterThanOrEqualTo(1);
    assertThat(finished.getJsonObject("progress").getInteger("failed")).isZero();
    assertThat(finished.getJsonArray("results")).allSatisfy(r -> {
      JsonObject result = (JsonObject) r;
      assertThat(result.getString("status")).isEqualTo("ok");
      assertThat(result.getJsonObject("completion").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(32);
    });
    assertThat(app.dataDir().resolve("jobs").resolve(job.getString("id") + ".json")).exists();
  }

  @Test
  @DisplayName("a job with failing items completes and counts its failures in OpenAI's error shape")
  void job_counts_failures() {
    JsonObject batch = batch("mock-fast", 2, 2);
    batch.getJsonArray("requests").add(Http.chat("mock-nope", "missing"));
    JsonObject job = create(app, batch);
    JsonObject finished = Await.value("the job finishes", Duration.ofSeconds(20), () -> get(app, job.getString("id")),
        j -> j.getString("status").equals("completed"));
    assertThat(finished.getJsonObject("progress").getInteger("failed")).isEqualTo(1);
    assertThat(finished.getJsonObject("progress").getInteger("succeeded")).isEqualTo(2);
    JsonObject failed = finished.getJsonArray("results").getJsonObject(2);
    assertThat(failed.getInteger("status_code")).isEqualTo(404);
    assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("model_not_found");
  }

  @Test
  @DisplayName("deleting a running job cancels it and its running generations really stop")
  void cancel_stops_running_generations() {
    double cancelledBefore = cancelled("mock-long");
    JsonObject job = create(app, batch("mock-long", 4, 2));
    String id = job.getString("id");
    Await.until("two items are generating", Duration.ofSeconds(10),
        () -> get(app, id).getJsonObject("progress").getInteger("running") == 2);
    HttpResponse<String> deleted = Http.delete(app.gatewayUrl() + "/v1/jobs/" + id);
    assertThat(deleted.statusCode()).isEqualTo(200);
    JsonObject cancelled = Http.json(deleted);
    assertThat(cancelled.getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.getJsonObject("progress").getInteger("cancelled")).isEqualTo(4);
    assertThat(cancelled.getJsonObject("progress").getInteger("running")).isZero();
    Await.until("both running generations are cancelled in the llm-service", Duration.ofSeconds(10),
        () -> cancelled("mock-long") >= cancelledBefore + 2);
    Await.until("no generation holds timers", Duration.ofSeconds(10),
        () -> registry.get("agentloop_llm_generations_active").gauge().value() == 0);
    assertThat(get(app, id).getString("status")).isEqualTo("cancelled");
    HttpResponse<String> events = Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/events");
    Sse.Stream stream = Sse.parse(events.body());
    assertThat(stream.done()).isTrue();
    assertThat(stream.events()).hasSize(1);
    assertThat(stream.events().get(0).getString("status")).isEqualTo("cancelled");
  }

  @Test
  @DisplayName("a job running when its process stops shows as interrupted after a restart, and a finished one is kept")
  void restart_interrupts_running_job() throws Exception {
    Path dataDir = Files.createTempDirectory("agentloop-jobs-restart-");
    JsonObject config = new JsonObject().put("llm", new JsonObject().put("models", MODELS))
        .put("storage", new JsonObject().put("data_dir", dataDir.toString()));
    String finishedId;
    String runningId;
    try (TestApp first = TestApp.start(config)) {
      finishedId = create(first, batch("mock-fast", 2, 2)).getString("id");
      Await.until("the short job finishes", Duration.ofSeconds(20),
          () -> get(first, finishedId).getString("status").equals("completed"));
      runningId = create(first, batch("mock-long", 3, 1)).getString("id");
      Await.until("the long job is running", Duration.ofSeconds(10),
          () -> get(first, runningId).getJsonObject("progress").getInteger("running") == 1);
    }
    try (TestApp second = TestApp.start(config)) {
      JsonObject interrupted = get(second, runningId);
      assertThat(interrupted.getString("status")).isEqualTo("interrupted");
      assertThat(interrupted.getValue("finished_at")).isNotNull();
      assertThat(interrupted.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")))
          .containsOnly("interrupted");
      JsonObject kept = get(second, finishedId);
      assertThat(kept.getString("status")).isEqualTo("completed");
      assertThat(kept.getJsonObject("progress").getInteger("succeeded")).isEqualTo(2);
      Sse.Stream events = Sse.parse(Http.get(second.gatewayUrl() + "/v1/jobs/" + runningId + "/events").body());
      assertThat(events.done()).isTrue();
      assertThat(events.events().get(0).getString("status")).isEqualTo("interrupted");
    }
  }

  @Test
  @DisplayName("bad job requests are 400s and unknown jobs 404s, in OpenAI's shape")
  void bad_requests_and_unknown_jobs() {
    for (JsonObject bad : List.of(
        new JsonObject(),
        new JsonObject().put("requests", new JsonArray()),
        new JsonObject().put("requests", new JsonArray().add("hi")),
        new JsonObject().put("requests", new JsonArray().add(new JsonObject().put("model", "mock-fast"))),
        batch("mock-fast", 1, 0),
        batch("mock-fast", 1, 1000),
        new JsonObject().put("requests", new JsonArray().add(Http.chat("mock-fast", "x").put("stream", true))))) {
      HttpResponse<String> response = Http.post(app.gatewayUrl() + "/v1/jobs", bad);
      assertThat(response.statusCode()).as(bad.encode()).isEqualTo(400);
      assertThat(ChatCompletionsTest.errorOf(response).getString("type")).isEqualTo("invalid_request_error");
    }
    for (HttpResponse<String> response : List.of(Http.get(app.gatewayUrl() + "/v1/jobs/job_nope"),
        Http.delete(app.gatewayUrl() + "/v1/jobs/job_nope"), Http.get(app.gatewayUrl() + "/v1/jobs/job_nope/events"))) {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(ChatCompletionsTest.errorOf(response).getString("code")).isEqualTo("not_found");
    }
  }

  private static double cancelled(String model) {
    Counter counter = registry.find("agentloop_llm_generations").tags("model", model, "outcome", "cancelled").counter();
    return counter == null ? 0 : counter.count();
  }
}
