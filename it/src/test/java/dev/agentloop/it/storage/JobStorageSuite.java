package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Background jobs kept by the storage service, run once per backend (see the subclasses): a job's
 * GET answers its first page of results, the rest is paged by index and by size, a job running when
 * its process stops reads back as interrupted, and finished jobs expire.
 */
abstract class JobStorageSuite extends BackendSuite {

  static final int PAGE_MAX_BYTES = 200_000;
  static final JsonArray MODELS = new JsonArray().add(mockFast(16)).add(mockLong());

  protected String base;

  private JsonObject config(JsonObject storage, JsonObject jobs) {
    return new JsonObject().put("llm", new JsonObject().put("models", MODELS)).put("storage", storage)
        .put("gateway", new JsonObject().put("jobs", jobs.put("page_max_bytes", PAGE_MAX_BYTES)));
  }

  protected JobStorageSuite(StorageBackend backend) {
    super(backend);
  }

  @Override
  protected JsonObject appConfig(JsonObject storage) {
    return config(storage, new JsonObject());
  }

  @Override
  protected void appStarted() {
    base = app.gatewayUrl();
  }

  @Test
  void a_large_job_answers_GET_with_its_first_page_and_pages_the_rest_by_index() {
    String id = Jobs.create(base, Jobs.batch("mock-fast", 1000, 64, 4)).getString("id");
    JsonObject job = Jobs.awaitFinished(base, id, Duration.ofSeconds(60));
    assertThat(job.getString("status")).isEqualTo("completed");
    assertThat(job.getJsonObject("progress").getInteger("succeeded")).isEqualTo(1000);

    HttpResponse<String> got = Http.get(base + "/v1/jobs/" + id);
    JsonArray first = Http.json(got).getJsonArray("results");
    assertThat(first).hasSize(100);
    assertThat(Http.json(got).getBoolean("results_has_more")).isTrue();
    assertThat(indices(first)).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
    // the GET stays small however many items the job has: a page, not the whole job
    assertThat(got.body().length()).isLessThan(150_000);

    List<Integer> walked = new ArrayList<>();
    Integer after = null;
    boolean more = true;
    while (more) {
      JsonObject page = Http.json(Http.get(base + "/v1/jobs/" + id + "/results?limit=150"
          + (after == null ? "" : "&after=" + after)));
      assertThat(page.getString("object")).isEqualTo("list");
      JsonArray data = page.getJsonArray("data");
      assertThat(data.size()).isBetween(1, 150);
      data.forEach(r -> assertThat(((JsonObject) r).getString("status")).isEqualTo("ok"));
      walked.addAll(indices(data));
      more = page.getBoolean("has_more");
      after = page.getInteger("last_index");
      assertThat(after).isEqualTo(walked.get(walked.size() - 1));
    }
    assertThat(walked).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());

    // a thousand small results pass the page's size budget: the page stops early and says there is more
    JsonObject all = Http.json(Http.get(base + "/v1/jobs/" + id + "/results?limit=1000"));
    assertThat(all.getJsonArray("data").size()).isBetween(150, 999);
    assertThat(all.getBoolean("has_more")).isTrue();
    assertThat(indices(all.getJsonArray("data"))).startsWith(0, 1, 2);
    JsonObject tail = Http.json(Http.get(base + "/v1/jobs/" + id + "/results?after=995"));
    assertThat(indices(tail.getJsonArray("data"))).containsExactly(996, 997, 998, 999);
    JsonObject past = Http.json(Http.get(base + "/v1/jobs/" + id + "/results?after=999"));
    assertThat(past.getJsonArray("data")).isEmpty();
    assertThat(past.getBoolean("has_more")).isFalse();
  }

  @Test
  void a_page_of_large_results_stops_at_its_size_budget() {
    // 6 answers of 12,000 tokens (about 80 kB each): a page of 200 kB holds two of them
    String id = Jobs.create(base, Jobs.batch("mock-fast", 6, 6, 12_000)).getString("id");
    assertThat(Jobs.awaitFinished(base, id, Duration.ofSeconds(60)).getString("status")).isEqualTo("completed");

    HttpResponse<String> got = Http.get(base + "/v1/jobs/" + id);
    JsonObject job = Http.json(got);
    assertThat(job.getJsonArray("results").size()).isBetween(1, 5);
    assertThat(job.getBoolean("results_has_more")).isTrue();
    assertThat(got.body().length()).isLessThan(PAGE_MAX_BYTES + 10_000);
    assertThat(job.getJsonArray("results").getJsonObject(0).getJsonObject("completion").getJsonObject("usage")
        .getInteger("completion_tokens")).isEqualTo(12_000);

    List<Integer> walked = new ArrayList<>();
    Integer after = null;
    boolean more = true;
    while (more) {
      HttpResponse<String> response = Http.get(base + "/v1/jobs/" + id + "/results?limit=1000"
          + (after == null ? "" : "&after=" + after));
      assertThat(response.body().length()).isLessThan(PAGE_MAX_BYTES + 10_000);
      JsonObject page = Http.json(response);
      assertThat(page.getJsonArray("data")).isNotEmpty();
      walked.addAll(indices(page.getJsonArray("data")));
      more = page.getBoolean("has_more");
      after = page.getInteger("last_index");
    }
    assertThat(walked).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void a_job_running_when_its_process_stops_reads_back_as_interrupted_and_a_finished_one_is_kept() {
    JsonObject storage = storageConfig();
    String finishedId;
    String runningId;
    try (TestApp first = TestApp.start(config(storage, new JsonObject()))) {
      finishedId = Jobs.create(first.gatewayUrl(), Jobs.batch("mock-fast", 2, 2)).getString("id");
      Jobs.awaitFinished(first.gatewayUrl(), finishedId, Duration.ofSeconds(20));
      runningId = Jobs.create(first.gatewayUrl(), Jobs.batch("mock-long", 3, 1)).getString("id");
      Await.until("the long job is running", Duration.ofSeconds(10),
          () -> Jobs.get(first.gatewayUrl(), runningId).getJsonObject("progress").getInteger("running") == 1);
    }
    try (TestApp second = TestApp.start(config(storage, new JsonObject()))) {
      JsonObject interrupted = Jobs.get(second.gatewayUrl(), runningId);
      assertThat(interrupted.getString("status")).isEqualTo("interrupted");
      assertThat(interrupted.getValue("finished_at")).isNotNull();
      assertThat(interrupted.getJsonObject("progress").getInteger("running")).isZero();
      assertThat(interrupted.getJsonObject("progress").getInteger("cancelled")).isEqualTo(3);
      assertThat(interrupted.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")))
          .containsExactly("interrupted", "interrupted", "interrupted");
      JsonObject kept = Jobs.get(second.gatewayUrl(), finishedId);
      assertThat(kept.getString("status")).isEqualTo("completed");
      assertThat(kept.getJsonObject("progress").getInteger("succeeded")).isEqualTo(2);
      assertThat(kept.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")))
          .containsExactly("ok", "ok");
      Sse.Stream events = Sse.parse(Http.get(second.gatewayUrl() + "/v1/jobs/" + runningId + "/events").body());
      assertThat(events.done()).isTrue();
      assertThat(events.events()).hasSize(1);
      assertThat(events.events().get(0).getString("status")).isEqualTo("interrupted");
    }
  }

  @Test
  void finished_jobs_expire_after_the_retention_and_running_ones_stay() {
    JsonObject jobs = new JsonObject().put("retention_ms", 1_000).put("sweep_interval_ms", 100);
    try (TestApp expiring = TestApp.start(config(storageConfig(), jobs))) {
      String url = expiring.gatewayUrl();
      String finished = Jobs.create(url, Jobs.batch("mock-fast", 3, 3)).getString("id");
      String running = Jobs.create(url, Jobs.batch("mock-long", 1, 1)).getString("id");
      assertThat(Jobs.awaitFinished(url, finished, Duration.ofSeconds(20)).getString("status")).isEqualTo("completed");
      Await.until("the finished job is swept away", Duration.ofSeconds(20),
          () -> Http.get(url + "/v1/jobs/" + finished).statusCode() == 404);
      assertThat(Http.get(url + "/v1/jobs/" + finished + "/results").statusCode()).isEqualTo(404);
      assertThat(Jobs.get(url, running).getString("status")).isEqualTo("running");
      assertThat(Http.delete(url + "/v1/jobs/" + running).statusCode()).isEqualTo(200);
      Await.until("the cancelled job is swept away too", Duration.ofSeconds(20),
          () -> Http.get(url + "/v1/jobs/" + running).statusCode() == 404);
    }
  }

  private static List<Integer> indices(JsonArray results) {
    return results.stream().map(r -> ((JsonObject) r).getInteger("index")).toList();
  }
}
