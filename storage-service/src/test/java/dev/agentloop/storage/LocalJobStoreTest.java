package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.storage.JobIds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the embedded job store answers a job it cannot store, and that it keeps working after. */
class LocalJobStoreTest extends LocalStoreTestBase {

  private static final JobState QUEUED = new JobState(1, "queued", null, null, 1, 0, 0, 0, 0);

  private static JsonObject header(String id, String words) {
    return new JsonObject().put("id", id).put("owner", OWNER).put("node", "node-a").put("incarnation", "i-1")
        .put("created_at", 1L).put("concurrency", 1).put("requests", new JsonArray().add(words));
  }

  @Test
  void a_job_larger_than_a_record_may_be_is_a_413_naming_the_sizes_and_the_store_keeps_working() throws Exception {
    LocalJobRepository jobs = new LocalJobRepository(vertx, dataDir, new RecordFile(RecordFile.Io.REAL, 4096),
        new LocalKeys(100));
    jobs.start().await(10, TimeUnit.SECONDS);
    String big = JobIds.newId();

    Throwable thrown = catchThrowable(() -> jobs.create(header(big, "x".repeat(5_000)), QUEUED, null)
        .await(10, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(413);
      assertThat(e.getMessage()).startsWith("The job is too large to store: a record of ").endsWith(" at most 4096.");
    });
    assertThat(catchThrowable(() -> jobs.get(OWNER, big).await(10, TimeUnit.SECONDS)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));

    String small = JobIds.newId();
    assertThat(jobs.create(header(small, "small"), QUEUED, null).await(10, TimeUnit.SECONDS).getString("id"))
        .isEqualTo(small);
    assertThat(jobs.get(OWNER, small).await(10, TimeUnit.SECONDS).getString("status")).isEqualTo("queued");
    jobs.close().await(10, TimeUnit.SECONDS);
  }
}
