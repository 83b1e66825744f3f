package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The local store on a real full file system: a 512 KiB tmpfs mounted for this class (root only;
 * under CI a missing root is a failure, elsewhere a skip). A turn that cannot be written is refused
 * with a 503 and leaves nothing behind, so the turns stored before and after it stay readable,
 * across a restart too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiskFullTest {

  private Path mount;
  private boolean mounted;
  private TestApp app;

  @BeforeAll
  void mountSmallTmpfs() throws Exception {
    String uid = run("id", "-u").trim();
    if (!"0".equals(uid)) {
      String why = "mounting a tmpfs needs root (uid is " + uid + ")";
      if (System.getenv("CI") != null) {
        Assertions.fail(why + "; CI is set, so the disk-full test must run");
      }
      Assumptions.abort(why + "; skipping (set CI to make this a failure)");
    }
    mount = Files.createTempDirectory("agentloop-full-");
    run("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mount.toString());
    mounted = true;
  }

  @AfterAll
  void unmount() throws Exception {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      if (mounted) {
        run("umount", mount.toString());
      }
      if (mount != null) {
        Files.deleteIfExists(mount);
      }
    }
  }

  @Test
  void a_turn_refused_on_a_full_disk_destroys_nothing_and_later_turns_are_kept_across_a_restart() throws Exception {
    JsonObject overrides = new JsonObject().put("storage",
        new JsonObject().put("backend", "local").put("data_dir", mount.resolve("data").toString()));
    app = TestApp.start(overrides);
    String base = app.gatewayUrl();
    String id = Http.json(Http.post(base + "/v1/conversations", new JsonObject().put("title", "full"))).getString("id");
    assertThat(chat(base, id, "turn one").statusCode()).isEqualTo(200);

    Path filler = mount.resolve("filler");
    fill(filler);
    // big enough to need pages the full file system no longer has
    HttpResponse<String> refused = chat(base, id, "word ".repeat(4_000).trim());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(Http.json(refused).getJsonObject("error").getString("message")).isNotBlank();
    Files.delete(filler);

    assertThat(chat(base, id, "turn three").statusCode()).isEqualTo(200);
    assertThat(contents(base, id)).containsExactly("turn one", "turn one", "turn three", "turn three");
    assertThat(Http.json(Http.get(base + "/v1/conversations/" + id)).getInteger("message_count")).isEqualTo(4);

    app.close();
    app = null;
    app = TestApp.start(overrides);
    assertThat(contents(app.gatewayUrl(), id)).containsExactly("turn one", "turn one", "turn three", "turn three");
    assertThat(chat(app.gatewayUrl(), id, "turn four").statusCode()).isEqualTo(200);
    assertThat(contents(app.gatewayUrl(), id)).hasSize(6);
  }

  private static HttpResponse<String> chat(String base, String id, String words) {
    return Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", words).put("conversation_id", id));
  }

  private static List<String> contents(String base, String id) {
    JsonArray messages = Http.json(Http.get(base + "/v1/conversations/" + id)).getJsonArray("messages");
    return messages.stream().map(m -> ((JsonObject) m).getString("content")).toList();
  }

  /** Writes until the file system says it is full. */
  private static void fill(Path filler) {
    byte[] chunk = "x".repeat(4096).getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int i = 0; i < 1_000; i++) {
        out.write(chunk);
        out.flush();
      }
      throw new AssertionError("a 512 KiB file system took 4 MB");
    } catch (IOException full) {
      assertThat(full.getMessage()).containsIgnoringCase("space");
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }
}
