package dev.agentloop.it.cluster;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.ClusterNodes;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Sse;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.impl.EventBusInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three clustered Vert.x nodes in this JVM over Hazelcast on loopback: A runs only the gateway, B
 * and C run the llm-service (C also the storage-service). Everything a client does goes through A's
 * HTTP port, so every token crosses the clustered event bus. The last tests crash B.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterInOneJvmIT {

  private static final ClusterNodes CLUSTER = new ClusterNodes();
  private static TestApp gateway;
  private static TestApp llmB;
  private static TestApp llmC;

  /** Test models on top of the defaults: a long, steady stream to cancel or cut. */
  private static JsonObject extra(long graceMs) {
    JsonArray models = TestApp.config(new JsonObject()).getJsonObject("llm").getJsonArray("models").copy()
        .add(new JsonObject().put("id", "mock-long").put("first_token_ms", 0).put("per_token_ms", 40).put("tokens", 400));
    return new JsonObject()
        .put("llm", new JsonObject().put("models", models).put("instances", 2))
        .put("gateway", new JsonObject().put("timeouts",
            new JsonObject().put("first_token_ms", 4_000).put("stall_ms", 2_000)))
        .put("shutdown", new JsonObject().put("grace_ms", graceMs));
  }

  @BeforeAll
  static void startCluster() {
    llmC = CLUSTER.start("C", List.of("llm", "storage"), extra(2_000));
    llmB = CLUSTER.start("B", List.of("llm"), extra(2_000));
    gateway = CLUSTER.start("A", List.of("gateway"), extra(2_000));
  }

  @AfterAll
  static void stopCluster() {
    for (TestApp node : new TestApp[] {gateway, llmB, llmC}) {
      if (node != null) {
        try {
          node.close();
        } catch (RuntimeException e) {
          // already crashed or stopped by a test
        }
      }
    }
  }

  private static String chatUrl() {
    return gateway.gatewayUrl() + "/v1/chat/completions";
  }

  private static JsonObject streaming(JsonObject chat) {
    return chat.copy().put("stream", true);
  }

  @Test
  @Order(0)
  void the_gateway_is_ready_once_the_llm_and_storage_members_have_joined() {
    HttpResponse<String> ready = Await.value("gateway ready", Duration.ofSeconds(20),
        () -> Http.get(gateway.gatewayUrl() + "/health/ready"), r -> r.statusCode() == 200);
    assertThat(Http.json(ready).getString("status")).isEqualTo("UP");
    assertThat(check(ready, "cluster").getJsonObject("data").getInteger("members")).isEqualTo(3);
  }

  private static JsonObject check(HttpResponse<String> ready, String id) {
    return Http.json(ready).getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  void hazelcast_and_the_event_bus_listen_on_the_cluster_interface_only() throws Exception {
    InetAddress external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
        .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
        .findFirst().orElse(null);
    Assumptions.assumeTrue(external != null, "this machine has no non-loopback address");
    VertxInternal vertx = (VertxInternal) gateway.vertx();
    HazelcastClusterManager cluster = (HazelcastClusterManager) vertx.clusterManager();
    int hazelcastPort = cluster.getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
    int busPort = cluster.getNodeInfo().port();
    for (int port : new int[] {hazelcastPort, busPort}) {
      try (Socket loopback = new Socket("127.0.0.1", port)) {
        assertThat(loopback.isConnected()).isTrue();
      }
      Assertions.assertThatThrownBy(() -> new Socket(external, port).close())
          .as("port " + port + " on " + external).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  @Order(2)
  void plain_and_streamed_chats_through_the_gateway_give_the_same_text_from_a_remote_member() {
    JsonObject chat = Http.chat("mock-realistic", "Tell me about clusters").put("max_tokens", 12);
    HttpResponse<String> plain = Http.post(chatUrl(), chat);
    assertThat(plain.statusCode()).isEqualTo(200);
    String plainText = Http.json(plain).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content");

    HttpResponse<String> streamed = Http.post(chatUrl(), streaming(chat));
    assertThat(streamed.statusCode()).isEqualTo(200);
    Sse.Stream events = Sse.parse(streamed.body());
    assertThat(events.done()).isTrue();
    assertThat(events.error()).isNull();
    assertThat(events.contentEvents()).hasSize(12);
    assertThat(events.content()).isNotEmpty().isEqualTo(plainText);
  }

  @Test
  @Order(3)
  void plain_requests_spread_over_both_llm_members() {
    double bBefore = ClusterNodes.generations(llmB, "B", null);
    double cBefore = ClusterNodes.generations(llmC, "C", null);
    for (int i = 0; i < 40; i++) {
      assertThat(Http.post(chatUrl(), Http.chat("mock-fast", "spread " + i)).statusCode()).isEqualTo(200);
    }
    double onB = ClusterNodes.generations(llmB, "B", null) - bBefore;
    double onC = ClusterNodes.generations(llmC, "C", null) - cBefore;
    assertThat(onB + onC).isEqualTo(40);
    assertThat(onB).as("generations on B").isGreaterThan(0);
    assertThat(onC).as("generations on C").isGreaterThan(0);
    // the node tag reaches Prometheus text too
    assertThat(ClusterNodes.registry(llmB).find("agentloop_llm_generations").tag("node", "B").counters()).isNotEmpty();
  }

  @Test
  @Order(4)
  void a_client_that_disconnects_mid_stream_stops_the_generation_on_the_remote_member() throws Exception {
    double cancelledBefore = ClusterNodes.generations(llmB, "B", "cancelled")
        + ClusterNodes.generations(llmC, "C", "cancelled");
    String body = streaming(Http.chat("mock-long", "a long answer")).encode();
    URI uri = URI.create(gateway.gatewayUrl());
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (countOf(seen, "data: ") < 4) {
        int n = in.read(buffer);
        assertThat(n).as("stream still open").isPositive();
        seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(ClusterNodes.activeGenerations(llmB, "B") + ClusterNodes.activeGenerations(llmC, "C")).isEqualTo(1);
    }
    Await.until("the remote generation is cancelled", Duration.ofSeconds(5), () ->
        ClusterNodes.activeGenerations(llmB, "B") + ClusterNodes.activeGenerations(llmC, "C") == 0
            && ClusterNodes.generations(llmB, "B", "cancelled") + ClusterNodes.generations(llmC, "C", "cancelled")
                == cancelledBefore + 1);
  }

  @Test
  @Order(5)
  void a_crashed_llm_member_loses_no_plain_request_and_cuts_its_streams_with_an_error_event() throws Exception {
    // Streams that run through the crash: those on B must end with an error event, those on C with [DONE].
    List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(Http.client().sendAsync(HttpRequest.newBuilder(URI.create(chatUrl()))
          .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(streaming(Http.chat("mock-long", "stream " + i))
              .put("max_tokens", 150).encode())).build(), HttpResponse.BodyHandlers.ofString()));
    }
    Await.until("the 4 streams run", Duration.ofSeconds(10),
        () -> ClusterNodes.activeGenerations(llmB, "B") + ClusterNodes.activeGenerations(llmC, "C") == 4);
    double streamsOnB = ClusterNodes.activeGenerations(llmB, "B");
    double retriesBefore = retries(gateway);
    // Steady plain load from 6 clients.
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Integer> done = Collections.synchronizedList(new ArrayList<>());
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      int client = c;
      Thread thread = Thread.ofVirtual().start(() -> {
        for (int i = 0; !stop.get(); i++) {
          HttpResponse<String> response = Http.post(chatUrl(), Http.chat("mock-realistic", "load " + client + "/" + i)
              .put("max_tokens", 8));
          done.add(response.statusCode());
          if (response.statusCode() != 200) {
            failures.add(response.statusCode() + " " + response.body());
          }
        }
      });
      clients.add(thread);
    }
    Await.until("B is in the middle of a plain request", Duration.ofSeconds(20),
        () -> ClusterNodes.generations(llmB, "B", "completed") > 3
            && ClusterNodes.activeGenerations(llmB, "B") > streamsOnB);
    double cBeforeCrash = ClusterNodes.generations(llmC, "C", "completed");
    int doneBeforeCrash = done.size();

    crash(llmB);

    Await.until("30 more plain requests answered after the crash", Duration.ofSeconds(60),
        () -> done.size() >= doneBeforeCrash + 30);
    stop.set(true);
    for (Thread thread : clients) {
      thread.join(Duration.ofSeconds(30));
    }
    assertThat(failures).as("plain requests that failed").isEmpty();
    assertThat(retries(gateway)).as("plain requests retried on C").isGreaterThan(retriesBefore);
    assertThat(ClusterNodes.generations(llmC, "C", "completed")).isGreaterThan(cBeforeCrash);

    int completed = 0;
    int cut = 0;
    for (CompletableFuture<HttpResponse<String>> future : streams) {
      HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      Sse.Stream events = Sse.parse(response.body());
      if (events.done()) {
        assertThat(events.error()).isNull();
        completed++;
      } else {
        assertThat(events.error()).as("a stream without [DONE] ends with an error event").isNotNull();
        assertThat(events.error().getString("message")).contains("stalled");
        cut++;
      }
    }
    assertThat(completed + cut).isEqualTo(4);
    assertThat(cut).as("streams cut = the streams B was producing").isEqualTo((int) streamsOnB);

    // After failure detection every new request succeeds, on C.
    for (int i = 0; i < 10; i++) {
      assertThat(Http.post(chatUrl(), Http.chat("mock-fast", "after " + i)).statusCode()).isEqualTo(200);
      assertThat(Sse.parse(Http.post(chatUrl(), streaming(Http.chat("mock-fast", "after " + i))).body()).done()).isTrue();
    }
    assertThat(Http.get(gateway.gatewayUrl() + "/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void readiness_turns_503_naming_the_services_that_left_the_cluster() {
    llmC.close();
    HttpResponse<String> ready = Await.value("gateway not ready and alone in the cluster", Duration.ofSeconds(20),
        () -> Http.get(gateway.gatewayUrl() + "/health/ready"),
        r -> r.statusCode() == 503 && check(r, "cluster").getJsonObject("data").getInteger("members") == 1);
    JsonArray checks = Http.json(ready).getJsonArray("checks");
    assertThat(checks.stream().map(JsonObject.class::cast).filter(c -> "DOWN".equals(c.getString("status")))
        .map(c -> c.getString("id")).toList()).containsExactlyInAnyOrder("llm", "storage");
    HttpResponse<String> chat = Http.post(chatUrl(), Http.chat("mock-fast", "anyone?"));
    assertThat(chat.statusCode()).isEqualTo(503);
    // no instance at all, or (after the failures of the earlier crash tests) the open circuit breaker
    assertThat(Http.json(chat).getJsonObject("error").getString("code")).isIn("service_unavailable", "circuit_open");
  }

  /**
   * What the others see of a kill -9: its Hazelcast member vanishes and its event-bus connections
   * drop, while its verticles never get to say goodbye.
   */
  private static void crash(TestApp node) throws Exception {
    VertxInternal vertx = (VertxInternal) node.vertx();
    ((HazelcastClusterManager) vertx.clusterManager()).getHazelcastInstance().getLifecycleService().terminate();
    Promise<Void> closed = Promise.promise();
    ((EventBusInternal) vertx.eventBus()).close(closed);
    // It fails to unregister from the terminated member, but closes its server and connections anyway.
    closed.future().transform(ar -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);
  }

  /** Retries of the model chain, whatever their reason (a lost member's among them). */
  private static double retries(TestApp node) {
    return ClusterNodes.registry(node).find("agentloop_retries").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static int countOf(CharSequence text, String needle) {
    int count = 0;
    for (int i = text.toString().indexOf(needle); i >= 0; i = text.toString().indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }
}
