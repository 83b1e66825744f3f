package dev.agentloop.it.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.ChildJvm;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The storage behaviour users see through the gateway, run once per backend (see the subclasses):
 * CRUD, paging, conversation history in chats, streamed and abandoned turns, export, hostile ids,
 * and acknowledged turns surviving {@code kill -9} of a separate process; plus the bounded history
 * and paged reads of {@link ConversationHistoryContract}.
 */
abstract class ConversationStorageSuite extends BackendSuite implements ConversationHistoryContract {

  protected String base;

  protected ConversationStorageSuite(StorageBackend backend) {
    super(backend);
  }

  @Override
  protected JsonObject appConfig(JsonObject storage) {
    return CONFIG.copy().put("storage", storage);
  }

  @Override
  protected void appStarted() {
    base = app.gatewayUrl();
  }

  @Override
  public TestApp app() {
    return app;
  }

  // ---- CRUD and paging ----

  @Test
  void a_conversation_is_created_read_listed_and_deleted() {
    HttpResponse<String> created = Http.post(base + "/v1/conversations",
        new JsonObject().put("title", "Trip plans").put("metadata", new JsonObject().put("user", "ada")));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject conversation = Http.json(created);
    String id = conversation.getString("id");
    assertThat(id).matches("conv_[A-Za-z0-9]{1,64}");
    assertThat(conversation.getString("object")).isEqualTo("conversation");

    JsonObject read = Http.json(Http.get(base + "/v1/conversations/" + id));
    assertThat(read.getString("title")).isEqualTo("Trip plans");
    assertThat(read.getJsonObject("metadata").getString("user")).isEqualTo("ada");
    assertThat(read.getJsonArray("messages")).isEmpty();

    JsonObject list = Http.json(Http.get(base + "/v1/conversations?limit=100"));
    assertThat(ids(list)).contains(id);

    HttpResponse<String> deleted = Http.delete(base + "/v1/conversations/" + id);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(Http.json(deleted).getBoolean("deleted")).isTrue();
    assertError(Http.get(base + "/v1/conversations/" + id), 404);
    assertError(Http.delete(base + "/v1/conversations/" + id), 404);
    assertThat(ids(Http.json(Http.get(base + "/v1/conversations?limit=100")))).doesNotContain(id);
  }

  @Test
  void a_conversation_can_be_created_without_a_body_and_bad_fields_are_400() {
    HttpResponse<String> empty = Http.send(HttpRequest.newBuilder(URI.create(base + "/v1/conversations"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(empty.statusCode()).isEqualTo(201);
    assertError(Http.post(base + "/v1/conversations", new JsonObject().put("metadata", "not an object")), 400);
    assertError(Http.post(base + "/v1/conversations", new JsonObject().put("title", 42)), 400);
    assertError(Http.post(base + "/v1/conversations", "{not json"), 400);
    assertError(Http.post(base + "/v1/conversations", new JsonObject().put("title", "nul\u0000here")), 400);
    assertError(Http.get(base + "/v1/conversations?limit=0"), 400);
    assertError(Http.get(base + "/v1/conversations?limit=abc"), 400);
  }

  @Test
  void the_list_pages_newest_first_with_a_cursor() {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mine.add(create("page " + i));
    }
    List<String> walked = new ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      JsonObject page = Http.json(Http.get(base + "/v1/conversations?limit=2" + (after == null ? "" : "&after=" + after)));
      List<String> pageIds = ids(page);
      assertThat(pageIds.size()).isLessThanOrEqualTo(2);
      walked.addAll(pageIds);
      more = page.getBoolean("has_more");
      after = page.getString("last_id");
      if (more) {
        assertThat(pageIds).hasSize(2);
      }
    }
    assertThat(walked).doesNotHaveDuplicates();
    assertThat(walked.subList(0, 5)).containsExactly(mine.get(4), mine.get(3), mine.get(2), mine.get(1), mine.get(0));
  }

  // ---- chats with conversation_id ----

  @Test
  void a_multi_turn_chat_sends_the_history_to_the_model_and_stores_every_turn() {
    String id = create("echo chat");
    JsonObject first = Http.json(chat(id, "mock-echo", "hello there", false));
    assertThat(text(first)).isEqualTo("hello there");
    // 3 + (3 + 2 words)
    assertThat(first.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(8);

    JsonObject second = Http.json(chat(id, "mock-echo", "how are you today", false));
    assertThat(text(second)).isEqualTo("how are you today");
    // the model saw user + assistant + user: 3 + 5 + 5 + 7; without history it would be 10
    assertThat(second.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(20);

    JsonArray messages = Http.json(Http.get(base + "/v1/conversations/" + id)).getJsonArray("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")).toList())
        .containsExactly("user", "assistant", "user", "assistant");
    assertThat(messages.getJsonObject(2).getString("content")).isEqualTo("how are you today");
    JsonObject answer = messages.getJsonObject(3);
    assertThat(answer.getString("content")).isEqualTo("how are you today");
    assertThat(answer.getBoolean("complete")).isTrue();
    assertThat(answer.getString("model")).isEqualTo("mock-echo");
    assertThat(answer.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(20);
  }

  @Test
  void a_streamed_turn_is_stored_before_the_stream_says_done() {
    String id = create("streamed");
    chat(id, "mock-echo", "first words", false);
    JsonObject body = Http.chat("mock-echo", "stream me please").put("conversation_id", id).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    HttpResponse<String> response = Http.post(base + "/v1/chat/completions", body);
    assertThat(response.statusCode()).isEqualTo(200);
    Sse.Stream stream = Sse.parse(response.body());
    assertThat(stream.done()).isTrue();
    assertThat(stream.content()).isEqualTo("stream me please");
    assertThat(stream.usage().getInteger("prompt_tokens")).isEqualTo(3 + 5 + 5 + 6);

    // no waiting: [DONE] is sent only once the turn is durable
    JsonArray messages = Http.json(Http.get(base + "/v1/conversations/" + id)).getJsonArray("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.getJsonObject(3).getString("content")).isEqualTo("stream me please");
    assertThat(messages.getJsonObject(3).getBoolean("complete")).isTrue();
    assertThat(messages.getJsonObject(3).getString("finish_reason")).isEqualTo("stop");
  }

  @Test
  void a_stream_the_client_abandons_is_stored_with_what_was_generated_and_marked_incomplete() throws IOException {
    String id = create("abandoned");
    String body = Http.chat("mock-realistic", "tell me a long story").put("conversation_id", id).put("stream", true)
        .put("max_tokens", 500).encode();
    List<String> seen = new ArrayList<>();
    try (Socket socket = new Socket("127.0.0.1", app.app().gatewayPort())) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while (seen.size() < 3 && (line = in.readLine()) != null) {
        if (line.startsWith("data: {") && line.contains("\"content\"") && !line.contains("\"role\"")) {
          seen.add(line);
        }
      }
    }
    assertThat(seen).hasSize(3);
    JsonObject answer = Await.value("the abandoned turn to be stored", Duration.ofSeconds(20),
        () -> Http.json(Http.get(base + "/v1/conversations/" + id)).getJsonArray("messages"),
        messages -> messages.size() == 2).getJsonObject(1);
    assertThat(answer.getBoolean("complete")).isFalse();
    int words = answer.getString("content").trim().split("\\s+").length;
    assertThat(words).isGreaterThanOrEqualTo(3).isLessThan(500);
  }

  @Test
  void a_chat_naming_an_unknown_or_malformed_conversation_is_refused_and_plain_chats_still_work() {
    assertError(chat("conv_doesnotexist", "mock-echo", "hi", false), 404);
    assertError(chat("conv_doesnotexist", "mock-echo", "hi", true), 404);
    assertError(chat("../../etc/passwd", "mock-echo", "hi", false), 400);
    assertError(Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", "hi").put("conversation_id", 7)), 400);
    String id = create("nul");
    assertError(chat(id, "mock-echo", "a nul\u0000inside", false), 400);
    assertThat(Http.json(Http.get(base + "/v1/conversations/" + id)).getJsonArray("messages")).isEmpty();
    HttpResponse<String> plain = Http.post(base + "/v1/chat/completions", Http.chat("mock-echo", "still here"));
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(text(Http.json(plain))).isEqualTo("still here");
  }

  // ---- export ----

  @Test
  void a_conversation_exports_as_json_lines_and_as_markdown() throws IOException {
    String id = create("Export me");
    chat(id, "mock-echo", "export this line", false);

    HttpResponse<String> jsonl = Http.get(base + "/v1/conversations/" + id + "/export?format=jsonl");
    assertThat(jsonl.statusCode()).isEqualTo(200);
    assertThat(jsonl.headers().firstValue("content-type").orElse("")).startsWith("application/x-ndjson");
    assertThat(jsonl.headers().firstValue("content-disposition").orElse("")).contains(id + ".jsonl");
    List<String> lines = jsonl.body().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(new JsonObject(lines.get(0)).getString("id")).isEqualTo(id);
    assertThat(new JsonObject(lines.get(1)).getString("content")).isEqualTo("export this line");
    assertThat(new JsonObject(lines.get(2)).getString("role")).isEqualTo("assistant");

    HttpResponse<String> markdown = Http.get(base + "/v1/conversations/" + id + "/export?format=markdown");
    assertThat(markdown.statusCode()).isEqualTo(200);
    assertThat(markdown.headers().firstValue("content-type").orElse("")).startsWith("text/markdown");
    assertThat(markdown.body()).startsWith("# Export me\n").contains("## user\n\nexport this line")
        .contains("## assistant (mock-echo)\n\nexport this line");

    assertError(Http.get(base + "/v1/conversations/" + id + "/export?format=pdf"), 400);
    assertError(Http.get(base + "/v1/conversations/conv_nope/export?format=jsonl"), 404);
    Path exports = app.dataDir().resolve("exports");
    Await.until("export files to be removed once sent", Duration.ofSeconds(10), () -> count(exports) == 0);
  }

  @Test
  void ids_that_try_to_escape_the_data_directory_are_rejected() {
    for (String path : List.of(
        "/v1/conversations/../../etc/passwd",
        "/v1/conversations/..%2F..%2Fetc%2Fpasswd",
        "/v1/conversations/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/v1/conversations/%2e%2e/%2e%2e/etc/passwd/export?format=jsonl",
        "/v1/conversations/..%252F..%252Fetc%252Fpasswd/export",
        "/v1/conversations/conv_x%00.log",
        "/v1/conversations/conv_abc%2F..%2F..%2Fpasswd/export?format=markdown",
        "/v1/conversations?after=..%2F..%2Fetc%2Fpasswd")) {
      HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
      assertThat(response.statusCode()).as(path).isIn(400, 404);
      assertThat(Http.json(response).getJsonObject("error").getString("message")).as(path).isNotBlank();
      assertThat(response.body()).as(path).doesNotContain("root:");
    }
    HttpResponse<String> delete = Http.delete(base + "/v1/conversations/..%2F..%2Fetc%2Fpasswd");
    assertThat(delete.statusCode()).isIn(400, 404);
    assertThat(Files.exists(Path.of("/etc/passwd"))).isTrue();
  }

  // ---- durability and throughput ----

  @Test
  void acknowledged_turns_survive_kill_9_of_the_process_and_none_is_partial() throws Exception {
    Path dataDir = Files.createTempDirectory("agentloop-crash-");
    Map<String, String> env = backend().processEnv(app.config().getJsonObject("storage"), dataDir);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    String id;
    int firstPort = TestApp.freePort();
    String firstUrl = "http://127.0.0.1:" + firstPort;
    ChildJvm first = startReady(env, firstPort);
    try {
      id = Http.json(Http.post(firstUrl + "/v1/conversations", new JsonObject().put("title", "crash"))).getString("id");
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        running.add(writers.submit(() -> {
          for (int i = 0; ; i++) {
            String words = "writer" + writer + " turn" + i;
            try {
              HttpResponse<String> response = Http.post(firstUrl + "/v1/chat/completions",
                  Http.chat("mock-echo", words).put("conversation_id", id));
              if (response.statusCode() != 200) {
                return;
              }
              acknowledged.add(words);
            } catch (RuntimeException e) {
              return; // the process is gone
            }
          }
        }));
      }
      Await.until("40 acknowledged turns", Duration.ofSeconds(60), () -> acknowledged.size() >= 40);
      first.kill9();
      for (Future<?> writer : running) {
        writer.get(30, TimeUnit.SECONDS);
      }
      writers.shutdown();
    } finally {
      first.close();
    }

    int secondPort = TestApp.freePort();
    String secondUrl = "http://127.0.0.1:" + secondPort;
    ChildJvm second = startReady(env, secondPort);
    try {
      JsonObject conversation = Http.json(Http.get(secondUrl + "/v1/conversations/" + id + "?limit=1000"));
      JsonArray messages = conversation.getJsonArray("messages");
      assertThat(conversation.getBoolean("has_more")).isFalse();
      assertThat(messages.size() % 2).as("whole turns only").isZero();
      assertThat(conversation.getInteger("message_count")).isEqualTo(messages.size());
      List<String> stored = new ArrayList<>();
      for (int i = 0; i < messages.size(); i += 2) {
        JsonObject user = messages.getJsonObject(i);
        JsonObject assistant = messages.getJsonObject(i + 1);
        assertThat(user.getString("role")).isEqualTo("user");
        assertThat(assistant.getString("role")).isEqualTo("assistant");
        assertThat(assistant.getBoolean("complete")).isTrue();
        assertThat(assistant.getString("content")).isEqualTo(user.getString("content"));
        stored.add(user.getString("content"));
      }
      assertThat(stored).containsAll(acknowledged);
      System.out.printf("CRASH backend=%s acknowledged=%d stored_after_restart=%d%n", backend().name(), acknowledged.size(),
          stored.size());
      // it still takes writes after the crash
      assertThat(Http.post(secondUrl + "/v1/chat/completions",
          Http.chat("mock-echo", "after the crash").put("conversation_id", id)).statusCode()).isEqualTo(200);
    } finally {
      second.stop(Duration.ofSeconds(30));
      second.close();
    }
  }

  /** agentloop in a separate JVM (so that it can be killed with SIGKILL), ready once its gateway listens. */
  private static ChildJvm startReady(Map<String, String> env, int port) {
    Map<String, String> mine = new HashMap<>(env);
    mine.put("AGENTLOOP_HTTP_PORT", String.valueOf(port));
    mine.put("AGENTLOOP_LLM_HTTP_PORT", "0");
    ChildJvm child = ChildJvm.agentloop(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), mine);
    try {
      child.awaitLine("gateway listening", Duration.ofSeconds(60));
      if (!child.alive()) {
        throw new AssertionError("the child process exited: " + String.join("\n", child.output()));
      }
      return child;
    } catch (AssertionError e) {
      child.close();
      throw e;
    }
  }

  @Test
  void measures_turns_per_second_through_the_gateway() throws Exception {
    int conversations = 8;
    int warmup = 5;
    int turnsEach = 50;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < conversations; i++) {
      ids.add(create("bench " + i));
    }
    ExecutorService clients = Executors.newFixedThreadPool(conversations);
    List<Future<?>> warming = new ArrayList<>();
    for (String id : ids) {
      warming.add(clients.submit(() -> {
        for (int t = 0; t < warmup; t++) {
          chat(id, "mock-fast", "warm " + t, false);
        }
      }));
    }
    for (Future<?> f : warming) {
      f.get(120, TimeUnit.SECONDS);
    }
    long started = System.nanoTime();
    List<Future<Integer>> done = new ArrayList<>();
    for (String id : ids) {
      done.add(clients.submit(() -> {
        int ok = 0;
        for (int t = 0; t < turnsEach; t++) {
          if (chat(id, "mock-fast", "turn " + t, false).statusCode() == 200) {
            ok++;
          }
        }
        return ok;
      }));
    }
    int ok = 0;
    for (Future<Integer> f : done) {
      ok += f.get(120, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    clients.shutdown();
    System.out.printf("TURNS_PER_SECOND backend=%s turns=%d clients=%d seconds=%.2f turns_per_second=%.1f%n",
        backend().name(), ok, conversations, seconds, ok / seconds);
    assertThat(ok).isEqualTo(conversations * turnsEach);
    for (String id : ids) {
      assertThat(Http.json(Http.get(base + "/v1/conversations/" + id)).getInteger("message_count"))
          .isEqualTo(2 * (warmup + turnsEach));
    }
  }

  // ---- helpers ----

  protected String create(String title) {
    HttpResponse<String> response = Http.post(base + "/v1/conversations", new JsonObject().put("title", title));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Http.json(response).getString("id");
  }

  protected HttpResponse<String> chat(String id, String model, String content, boolean stream) {
    return Http.post(base + "/v1/chat/completions",
        Http.chat(model, content).put("conversation_id", id).put("stream", stream));
  }

  static String text(JsonObject completion) {
    return completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  static List<String> ids(JsonObject list) {
    return list.getJsonArray("data").stream().map(c -> ((JsonObject) c).getString("id")).toList();
  }

  static JsonObject assertError(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    JsonObject error = Http.json(response).getJsonObject("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.containsKey("type")).isTrue();
    return error;
  }

  private static long count(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
