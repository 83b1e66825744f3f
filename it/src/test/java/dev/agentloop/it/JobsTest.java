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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** /v1/jobs: background batches with a concurrency limit, progress events, cancel; storage is JobStorageSuite. */
class JobsTest {

  private static final JsonArray MODELS = new JsonArray()
      .add(new JsonObject().put("id", "mock-fast").put("tokens", 16))
      .add(new JsonObject().put("id", "mock-realistic").put("first_token_ms", 200).put("per_token_ms", 20).put("tokens", 32))
      .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 20).put("tokens", 5000));

  @AutoClose
  private static TestApp app;
  private static MeterRegistry registry;

  @BeforeAll
  static void start() {
    app = TestApp.start(new JsonObject().put("llm", new JsonObject().put("models", MODELS)));
    registry = app.registry();
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
    // jobs by state, in the metrics: active ones now, finished ones counted as they finish
    String metrics = Http.get(app.gatewayUrl() + "/metrics").body();
    assertThat(sample(metrics, "agentloop_jobs_finished_total{state=\"completed\"}")).isGreaterThanOrEqualTo(1);
    assertThat(metrics).contains("agentloop_jobs{state=\"running\"}");
    assertThat(finished.getJsonObject("progress").getInteger("failed")).isZero();
    assertThat(finished.getJsonArray("results")).allSatisfy(r -> {
      JsonObject result = (JsonObject) r;
      assertThat(result.getString("status")).isEqualTo("ok");
      assertThat(result.getJsonObject("completion").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(32);
    });
    // kept by the storage service (here the local store's record file of the job), not by the gateway
    assertThat(app.dataDir().resolve("jobs").resolve(job.getString("id") + ".log")).exists();
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
        Http.delete(app.gatewayUrl() + "/v1/jobs/job_nope"), Http.get(app.gatewayUrl() + "/v1/jobs/job_nope/events"),
        Http.get(app.gatewayUrl() + "/v1/jobs/job_nope/results"),
        Http.get(app.gatewayUrl() + "/v1/jobs/job_0123456789abcdef0123456789abcdef"),
        Http.get(app.gatewayUrl() + "/v1/jobs/..%2F..%2Fetc%2Fpasswd/results"))) {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(ChatCompletionsTest.errorOf(response).getString("code")).isEqualTo("not_found");
    }
  }

  @Test
  @DisplayName("results paging parameters out of range are 400s naming the parameter")
  void bad_paging_parameters() {
    String id = create(app, batch("mock-fast", 2, 2)).getString("id");
    for (String query : List.of("limit=0", "limit=1001", "limit=ten", "after=-2", "after=x", "limit=1.5")) {
      HttpResponse<String> response = Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/results?" + query);
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      JsonObject error = ChatCompletionsTest.errorOf(response);
      assertThat(error.getString("type")).isEqualTo("invalid_request_error");
      assertThat(error.getString("param")).isEqualTo(query.substring(0, query.indexOf('=')));
    }
    assertThat(Http.get(app.gatewayUrl() + "/v1/jobs/" + id + "/results?limit=1000&after=-1").statusCode())
        .isEqualTo(200);
  }

  private static double sample(String metrics, String series) {
    return metrics.lines().filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static double cancelled(String model) {
    Counter counter = registry.find("agentloop_llm_generations").tags("model", model, "outcome", "cancelled").counter();
    return counter == null ? 0 : counter.count();
  }
}
