package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.ChildJvm;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use a data directory: the local conversation store is locked, so a second storage-service
 * on it fails fast with one line naming the folder (exit code 1), while processes that do not run
 * the store (a gateway of the local cluster) share the directory freely. Export files a crash left
 * behind are swept at start, fresh ones (another gateway's) are not.
 */
class DataDirectoryTest {

  @TempDir
  Path dataDir;

  private JsonObject local() {
    return new JsonObject().put("storage", new JsonObject().put("backend", "local").put("data_dir", dataDir.toString()));
  }

  @Test
  void a_second_storage_service_on_the_same_store_fails_fast_naming_the_folder() {
    try (TestApp first = TestApp.start(local())) {
      assertThat(Http.post(first.gatewayUrl() + "/v1/conversations", new JsonObject()).statusCode()).isEqualTo(201);
      String folder = dataDir.resolve("conversations").toAbsolutePath().toString();

      assertThatThrownBy(() -> TestApp.start(local()).close())
          .hasMessageContaining(folder).hasMessageContaining("in use");

      try (ChildJvm second = ChildJvm.agentloop(Map.of("AGENTLOOP_DATA_DIR", dataDir.toString(),
          "AGENTLOOP_HTTP_PORT", "0", "AGENTLOOP_LLM_HTTP_PORT", "0"))) {
        assertThat(second.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        List<String> errors = second.output().stream().filter(line -> line.contains("ERROR")).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("could not start").contains(folder).contains("in use").contains("pid "
            + ProcessHandle.current().pid());
      }
      // a process without the storage-service (the local cluster's gateway and llm) shares the directory
      try (ChildJvm gateway = ChildJvm.agentloop(Map.of("AGENTLOOP_DATA_DIR", dataDir.toString(),
          "AGENTLOOP_SERVICES", "gateway,llm", "AGENTLOOP_HTTP_PORT", "0", "AGENTLOOP_LLM_HTTP_PORT", "0"))) {
        gateway.awaitLine("agentloop: started", Duration.ofSeconds(60)); // the signal handlers are in place
        gateway.terminate();
        assertThat(gateway.awaitExit(Duration.ofSeconds(60))).isZero();
      }
      // the first one still serves
      assertThat(Http.post(first.gatewayUrl() + "/v1/conversations", new JsonObject()).statusCode()).isEqualTo(201);
    }
    // once it stopped, the store is free again
    try (TestApp again = TestApp.start(local())) {
      assertThat(Http.json(Http.get(again.gatewayUrl() + "/v1/conversations")).getJsonArray("data")).hasSize(2);
    }
  }

  @Test
  void export_files_left_by_a_crash_are_swept_at_start_and_fresh_ones_are_left_alone() throws Exception {
    Path exports = Files.createDirectories(dataDir.resolve("exports"));
    Path old = exports.resolve("conv_abc123-3f2b1c9e-8d4a-4b6e-9f1a-2c3d4e5f6a7b.jsonl");
    Path fresh = exports.resolve("conv_abc123-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.md");
    Path other = exports.resolve("notes.txt");
    for (Path file : List.of(old, fresh, other)) {
      Files.writeString(file, "left over");
    }
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
    Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));

    try (TestApp app = TestApp.start(local())) {
      Await.until("the old export file to be swept", Duration.ofSeconds(20), () -> !Files.exists(old));
      assertThat(fresh).exists();
      assertThat(other).as("not an export file").exists();
      assertThat(app.gatewayUrl()).isNotBlank();
    }
  }
}
