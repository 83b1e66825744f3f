package dev.agentloop.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.ClusterNodes;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An llm-service member that is told to stop (what SIGTERM does through {@code Main}) while it
 * serves streams and plain requests: it stops taking new work, its streams finish with [DONE], then
 * it leaves the cluster. No client sees an error.
 */
class GracefulLeaveIT {

  private final ClusterNodes cluster = new ClusterNodes();
  private final List<TestApp> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (TestApp node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // already stopped by the test
      }
    }
  }

  private TestApp start(String id, List<String> services) {
    JsonArray models = TestApp.config(new JsonObject()).getJsonObject("llm").getJsonArray("models").copy()
        .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 40).put("tokens", 400));
    TestApp node = cluster.start(id, services, new JsonObject()
        .put("llm", new JsonObject().put("models", models).put("instances", 2))
        .put("shutdown", new JsonObject().put("grace_ms", 15_000)));
    nodes.add(node);
    return node;
  }

  @Test
  void an_llm_member_told_to_stop_finishes_its_streams_and_no_client_sees_an_error() throws Exception {
    TestApp c = start("C", List.of("llm", "storage"));
    TestApp b = start("B", List.of("llm"));
    TestApp gateway = start("A", List.of("gateway"));
    String chatUrl = gateway.gatewayUrl() + "/v1/chat/completions";
    Await.until("gateway ready", Duration.ofSeconds(20),
        () -> Http.get(gateway.gatewayUrl() + "/health/ready").statusCode() == 200);

    List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      streams.add(Http.client().sendAsync(HttpRequest.newBuilder(URI.create(chatUrl)).timeout(Duration.ofSeconds(60))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Http.chat("mock-long", "stream " + i).put("stream", true)
              .put("max_tokens", 60).encode())).build(), HttpResponse.BodyHandlers.ofString()));
    }
    Await.until("streams run on both members", Duration.ofSeconds(10),
        () -> ClusterNodes.activeGenerations(b, "B") > 0 && ClusterNodes.activeGenerations(c, "C") > 0
            && ClusterNodes.activeGenerations(b, "B") + ClusterNodes.activeGenerations(c, "C") == 6);

    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Integer> done = Collections.synchronizedList(new ArrayList<>());
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int client = t;
      clients.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; !stop.get(); i++) {
          HttpResponse<String> response = Http.post(chatUrl, Http.chat("mock-fast", "load " + client + "/" + i));
          done.add(response.statusCode());
          if (response.statusCode() != 200) {
            failures.add(response.statusCode() + " " + response.body());
          }
        }
      }));
    }
    Await.until("plain load reaches B", Duration.ofSeconds(10), () -> ClusterNodes.generations(b, "B", "completed") > 5);

    MeterRegistry bMetrics = ClusterNodes.registry(b); // still readable once B is gone
    Future<Void> leaving = b.app().shutdown();
    Await.until("B stopped taking work and finished its streams", Duration.ofSeconds(30), leaving::isComplete);
    assertThat(leaving.succeeded()).as("graceful stop of B: " + leaving.cause()).isTrue();
    int doneAfterLeave = done.size();
    Await.until("20 more plain requests after B left", Duration.ofSeconds(30), () -> done.size() >= doneAfterLeave + 20);
    stop.set(true);
    for (Thread thread : clients) {
      thread.join(Duration.ofSeconds(30));
    }

    assertThat(failures).as("plain requests that failed").isEmpty();
    for (CompletableFuture<HttpResponse<String>> future : streams) {
      HttpResponse<String> response = future.get(30, TimeUnit.SECONDS);
      Sse.Stream events = Sse.parse(response.body());
      assertThat(events.error()).isNull();
      assertThat(events.done()).isTrue();
      assertThat(events.contentEvents()).hasSize(60);
    }
    assertThat(bMetrics.find("agentloop_llm_generations").tag("outcome", "cancelled").counters()).isEmpty();
    assertThat(bMetrics.find("agentloop_llm_generations").tag("outcome", "completed").counters()).isNotEmpty();
    assertThat(Http.get(gateway.gatewayUrl() + "/health/ready").statusCode()).isEqualTo(200);
  }
}
