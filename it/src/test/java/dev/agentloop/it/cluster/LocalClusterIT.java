package dev.agentloop.it.cluster;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real thing: {@code deploy/local-cluster.sh} starts a gateway, a storage-service and two
 * llm-service JVMs on loopback (own ports, own cluster name); chats run through the gateway while
 * llm-1 is killed with SIGKILL, then restarted with the same script; then llm-2 gets a SIGTERM.
 */
class LocalClusterIT {

  /** Tests run in the it module; the script stays under deploy/. */
  private static final Path SCRIPT = Path.of("..", "deploy", "local-cluster.sh").toAbsolutePath().normalize();
  private static Path runDir;
  private static int httpPort;
  private static int llmHttpPort;
  private static Map<String, String> env;

  @BeforeAll
  static void startCluster() throws Exception {
    runDir = Files.createTempDirectory("agentloop-local-cluster-");
    httpPort = freeRange(3);
    llmHttpPort = httpPort + 1;
    env = Map.of(
        "AGENTLOOP_HTTP_PORT", String.valueOf(httpPort),
        "AGENTLOOP_LLM_HTTP_PORT", String.valueOf(llmHttpPort),
        "AGENTLOOP_CLUSTER_PORT", String.valueOf(freeRange(6)),
        "AGENTLOOP_CLUSTER_NAME", "agentloop-it-" + UUID.randomUUID(),
        "AGENTLOOP_CLUSTER_DIR", runDir.toString(),
        "AGENTLOOP_SHUTDOWN_GRACE_MS", "5000",
        "AGENTLOOP_NO_BUILD", "1",
        "JAVA_HOME", System.getProperty("java.home"));
    assertThat(script("start")).as("local-cluster.sh start").isZero();
    Await.until("gateway ready", Duration.ofSeconds(60),
        () -> get(gateway("/health/ready")).map(r -> r.statusCode() == 200).orElse(false));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (env != null) {
      script("stop");
    }
  }

  @Test
  void an_llm_member_killed_under_load_loses_no_request_comes_back_on_restart_and_a_sigterm_costs_no_error()
      throws Exception {
    // both llm members serve
    for (int i = 0; i < 20; i++) {
      assertThat(Http.post(gateway("/v1/chat/completions"), Http.chat("mock-fast", "warm " + i)).statusCode()).isEqualTo(200);
    }
    assertThat(served("llm-1")).isPositive();
    assertThat(served("llm-2")).isPositive();

    Load load = new Load();
    Await.until("load is running", Duration.ofSeconds(30), () -> load.plain.get() >= 20 && load.streamsDone.get() >= 3);

    ProcessHandle.of(pid("llm-1")).orElseThrow().destroyForcibly(); // SIGKILL
    int plainAtKill = load.plain.get();
    Await.until("the gateway saw llm-1 leave", Duration.ofSeconds(30),
        () -> log("gateway").contains("cluster: member left"));
    Await.until("40 more plain requests after the kill", Duration.ofSeconds(90),
        () -> load.plain.get() >= plainAtKill + 40);
    load.stop();
    assertThat(load.failures).as("requests that failed").isEmpty();
    assertThat(load.streamsDone.get()).isPositive();
    load.assertNothingAcknowledgedLost();

    // after failure detection every new request succeeds
    for (int i = 0; i < 20; i++) {
      assertThat(Http.post(gateway("/v1/chat/completions"), Http.chat("mock-fast", "after " + i)).statusCode())
          .isEqualTo(200);
    }
    for (int i = 0; i < 5; i++) {
      Sse.Stream events = Sse.parse(Http.post(gateway("/v1/chat/completions"),
          Http.chat("mock-fast", "after " + i).put("stream", true)).body());
      assertThat(events.done()).isTrue();
    }
    assertThat(get(gateway("/health/ready")).orElseThrow().statusCode()).isEqualTo(200);

    // the same script restarts the lost member, and it takes work again
    assertThat(script("start")).as("local-cluster.sh start (restart llm-1)").isZero();
    Await.until("restarted llm-1 serves requests again", Duration.ofSeconds(60), () -> {
      Http.post(gateway("/v1/chat/completions"), Http.chat("mock-fast", "back?"));
      return served("llm-1") > 0;
    });
    assertThat(script("status")).as("status with every member up").isZero();

    // SIGTERM of an llm member under load: it finishes its streams, then leaves; nobody sees an error
    Load again = new Load();
    Await.until("load is running", Duration.ofSeconds(30), () -> again.plain.get() >= 20 && again.streamsDone.get() >= 3);
    ProcessHandle llm2 = ProcessHandle.of(pid("llm-2")).orElseThrow();
    assertThat(llm2.destroy()).isTrue(); // SIGTERM
    llm2.onExit().get(60, TimeUnit.SECONDS);
    int plainAtLeave = again.plain.get();
    Await.until("20 more plain requests after llm-2 left", Duration.ofSeconds(60),
        () -> again.plain.get() >= plainAtLeave + 20);
    again.stop();
    assertThat(again.failures).as("requests that failed around the graceful leave").isEmpty();
    assertThat(again.streamsCut.get()).as("streams cut by the graceful leave").isZero();
    again.assertNothingAcknowledgedLost();
    assertThat(log("llm-2")).contains("SIGTERM received").contains("agentloop: stopped");
  }

  /** Six clients sending plain chats and three sending streamed ones, in a loop, until stopped. */
  private static final class Load {
    final AtomicBoolean stopped = new AtomicBoolean();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final AtomicInteger plain = new AtomicInteger();
    final AtomicInteger streamsDone = new AtomicInteger();
    final AtomicInteger streamsCut = new AtomicInteger();
    final List<Thread> clients = new ArrayList<>();
    /** Per conversation, the user messages of the turns answered 200 (acknowledged, so stored). */
    final Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();

    Load() {
      List<String> conversations = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        HttpResponse<String> created = Http.post(gateway("/v1/conversations"),
            new JsonObject().put("title", "load " + c));
        assertThat(created.statusCode()).isEqualTo(201);
        String conversation = Http.json(created).getString("id");
        conversations.add(conversation);
        acknowledged.put(conversation, new CopyOnWriteArrayList<>());
      }
      clients(2, (client, i) -> {
        String conversation = conversations.get(client);
        String text = "turn " + client + "/" + i;
        HttpResponse<String> response = Http.post(gateway("/v1/chat/completions"),
            Http.chat("mock-realistic", text).put("max_tokens", 4).put("conversation_id", conversation));
        plain.incrementAndGet();
        if (response.statusCode() == 200) {
          acknowledged.get(conversation).add(text);
        } else {
          failures.add("conversation turn: " + response.statusCode() + " " + response.body());
        }
      });
      clients(6, (client, i) -> {
        HttpResponse<String> response = Http.post(gateway("/v1/chat/completions"),
            Http.chat("mock-realistic", "plain " + client + "/" + i).put("max_tokens", 6));
        plain.incrementAndGet();
        if (response.statusCode() != 200) {
          failures.add("plain: " + response.statusCode() + " " + response.body());
        }
      });
      clients(3, (client, i) -> {
        HttpResponse<String> response = Http.post(gateway("/v1/chat/completions"),
            Http.chat("mock-realistic", "stream " + client + "/" + i).put("stream", true));
        if (response.statusCode() != 200) {
          failures.add("stream open: " + response.statusCode() + " " + response.body());
          return;
        }
        try {
          Sse.Stream events = Sse.parse(response.body());
          if (events.done() && events.error() == null) {
            streamsDone.incrementAndGet();
          } else if (!events.done() && events.error() != null) {
            streamsCut.incrementAndGet();
          } else {
            failures.add("stream ended neither with [DONE] nor an error event: " + response.body());
          }
        } catch (IllegalArgumentException e) {
          failures.add("malformed stream: " + e.getMessage());
        }
      });
    }

    /** Starts {@code count} clients, each sending its requests 0, 1, ... one after another until the load stops. */
    private void clients(int count, BiConsumer<Integer, Integer> request) {
      for (int c = 0; c < count; c++) {
        int client = c;
        clients.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; !stopped.get(); i++) {
            request.accept(client, i);
          }
        }));
      }
    }

    void stop() throws InterruptedException {
      stopped.set(true);
      for (Thread client : clients) {
        client.join(Duration.ofSeconds(60));
      }
    }

    /** Every acknowledged turn is stored exactly once, whole (its user message, then the answer). */
    void assertNothingAcknowledgedLost() {
      acknowledged.forEach((conversation, turns) -> {
        assertThat(turns).as("turns acknowledged in %s", conversation).isNotEmpty();
        JsonArray messages = new JsonArray();
        for (long after = 0; after >= 0; ) { // GET pages the messages
          JsonObject page = Http.json(Http.get(gateway("/v1/conversations/" + conversation
              + "?limit=1000&after=" + after)));
          messages.addAll(page.getJsonArray("messages"));
          after = page.getBoolean("has_more") ? page.getLong("last_position") : -1;
        }
        List<String> stored = new ArrayList<>();
        for (int m = 0; m < messages.size(); m++) {
          JsonObject message = messages.getJsonObject(m);
          if ("user".equals(message.getString("role"))) {
            stored.add(message.getString("content"));
            assertThat(m + 1 < messages.size() && "assistant".equals(messages.getJsonObject(m + 1).getString("role")))
                .as("the turn '%s' is whole", message.getString("content")).isTrue();
          }
        }
        for (String turn : turns) {
          assertThat(stored.stream().filter(turn::equals).count()).as("'%s' stored exactly once", turn).isEqualTo(1);
        }
      });
    }
  }

  private static long pid(String member) throws IOException {
    return Long.parseLong(Files.readString(runDir.resolve(member + ".pid")).trim());
  }

  private static String gateway(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  /** Generations an llm member finished, from its own /metrics (0 while it does not answer). */
  private static double served(String member) {
    int port = llmHttpPort + Integer.parseInt(member.substring("llm-".length())) - 1;
    return get("http://127.0.0.1:" + port + "/metrics").filter(r -> r.statusCode() == 200)
        .map(r -> r.body().lines().filter(line -> line.startsWith("agentloop_llm_generations_total"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum())
        .orElse(0.0);
  }

  private static Optional<HttpResponse<String>> get(String url) {
    try {
      return Optional.of(Http.get(url));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String log(String member) {
    try {
      return Files.readString(runDir.resolve(member + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static int script(String command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve("script.out").toFile()));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("local-cluster.sh " + command + " did not finish; see " + runDir.resolve("script.out"));
    }
    return process.exitValue();
  }

  /** The first of {@code count} consecutive free ports in 18000-19999. */
  private static int freeRange(int count) {
    for (int tries = 0; tries < 200; tries++) {
      int base = 18000 + ThreadLocalRandom.current().nextInt(0, 2000 - count);
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        try (ServerSocket socket = new ServerSocket(port)) {
          socket.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range");
  }
}
