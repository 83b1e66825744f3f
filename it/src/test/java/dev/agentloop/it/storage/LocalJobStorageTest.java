package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.Jobs;
import dev.agentloop.it.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The jobs suite against the embedded file store, and the import of jobs kept in the earlier format. */
class LocalJobStorageTest extends JobStorageSuite {

  LocalJobStorageTest() {
    super(StorageBackend.local("agentloop-jobs-"));
  }

  @Test
  void jobs_kept_whole_by_an_earlier_version_are_imported_and_an_unfinished_one_reads_back_interrupted()
      throws IOException {
    JsonObject storage = storageConfig();
    Path jobs = Path.of(storage.getString("data_dir")).resolve("jobs");
    Files.createDirectories(jobs);
    JsonArray requests = new JsonArray().add(new JsonObject().put("model", "mock-fast")).add(new JsonObject());
    JsonObject ok = new JsonObject().put("index", 0).put("status", "ok").put("latency_ms", 1.5)
        .put("completion", new JsonObject().put("object", "chat.completion"));
    long minuteAgo = System.currentTimeMillis() / 1000 - 60; // well within the retention
    String done = "job_" + "a".repeat(32);
    String running = "job_" + "b".repeat(32);
    Files.writeString(jobs.resolve(done + ".json"), new JsonObject().put("id", done).put("status", "completed")
        .put("created_at", minuteAgo).put("started_at", minuteAgo).put("finished_at", minuteAgo)
        .put("concurrency", 2).put("requests", requests)
        .put("results", new JsonArray().add(ok).add(ok.copy().put("index", 1))).encode());
    Files.writeString(jobs.resolve(running + ".json"), new JsonObject().put("id", running).put("status", "running")
        .put("created_at", minuteAgo).put("started_at", minuteAgo).put("concurrency", 1).put("requests", requests)
        .put("results", new JsonArray().add(ok).add(new JsonObject().put("index", 1).put("status", "running"))).encode());
    try (TestApp upgraded = TestApp.start(new JsonObject().put("storage", storage))) {
      JsonObject completed = Jobs.get(upgraded.gatewayUrl(), done);
      assertThat(completed.getString("status")).isEqualTo("completed");
      assertThat(completed.getJsonObject("progress").getInteger("succeeded")).isEqualTo(2);
      assertThat(completed.getJsonArray("results").getJsonObject(1).getDouble("latency_ms")).isEqualTo(1.5);
      JsonObject interrupted = Jobs.get(upgraded.gatewayUrl(), running);
      assertThat(interrupted.getString("status")).isEqualTo("interrupted");
      assertThat(interrupted.getJsonArray("results").stream().map(r -> ((JsonObject) r).getString("status")))
          .containsExactly("ok", "interrupted");
    }
    assertThat(jobs.resolve(done + ".json")).doesNotExist();
    assertThat(jobs.resolve(done + ".log")).exists();
  }
}
