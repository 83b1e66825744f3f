package dev.agentloop.it.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.Prometheus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Nothing a client chooses becomes state or a metric series without a bound: model names sent by
 * clients, and the source addresses the rate limiter tracks.
 */
@DisplayName("Series and per-client state stay bounded whatever clients send")
class CardinalityTest {

  private static final String PREFIX = "nope-";
  private static final String ADMIN = "cardinality-admin-key";

  /** Behind a trusted proxy on loopback nothing is local: the scrape needs the admin key. */
  private static Prometheus scrape(TestApp app) {
    return Prometheus.parse(MetricsEndpointTest.get(app.gatewayUrl() + "/metrics", "authorization", "Bearer " + ADMIN)
        .body());
  }

  /** Each sample line's name and labels; the JVM's own GC causes are its choice, not a client's. */
  private static Set<String> series(String url) {
    return Http.get(url + "/metrics").body().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.substring(0, l.lastIndexOf(' '))).filter(s -> !s.startsWith("jvm_gc_"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static CompletableFuture<HttpResponse<String>> chat(String base, String model, boolean stream) {
    return Http.client().sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Http.chat(model, "hi").put("stream", stream).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code count} requests with a fresh model name each, spread over both fronts and both modes. */
  private static List<Integer> randomModels(List<String> fronts, int count, int parallel) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < count; i += parallel) {
      List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
      for (int j = i; j < Math.min(count, i + parallel); j++) {
        batch.add(chat(fronts.get(j % fronts.size()), PREFIX + UUID.randomUUID(), (j / fronts.size()) % 2 == 1));
      }
      batch.forEach(f -> statuses.add(f.join().statusCode()));
    }
    return statuses;
  }

  private static void assertFlat(Set<String> before, Set<String> after) {
    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    assertThat(added).as("series that appeared").isEmpty();
    assertThat(after).as("series naming a client's model").noneMatch(s -> s.contains(PREFIX));
  }

  @Test
  @DisplayName("1,000 chats with random model names, plain and streamed, on both fronts, add no series")
  void random_model_names_add_no_series() {
    try (TestApp app = TestApp.start()) {
      List<String> fronts = List.of(app.gatewayUrl(), app.llmUrl());
      for (String front : fronts) {
        for (boolean stream : new boolean[] {false, true}) {
          assertThat(chat(front, "mock-fast", stream).join().statusCode()).isEqualTo(200);
        }
      }
      assertThat(randomModels(fronts, 8, 8)).containsOnly(404); // warm-up: the 404 series exist now
      series(app.gatewayUrl());
      series(app.llmUrl()); // and those of the scrapes
      Set<String> before = series(app.gatewayUrl());
      assertThat(randomModels(fronts, 1_000, 25)).containsOnly(404);
      assertFlat(before, series(app.gatewayUrl()));
      assertFlat(before, series(app.llmUrl()));
    }
  }

  @Test
  @DisplayName("with no model service up, retried random model names add no series either")
  void random_model_names_without_an_llm_service() {
    try (TestApp app = TestApp.start(new JsonObject().put("services", new JsonArray().add("gateway").add("storage"))
        .put("gateway", new JsonObject().put("resilience", new JsonObject().put("retries", new JsonObject()
            .put("max_attempts", 2).put("base_delay_ms", 1).put("max_delay_ms", 2)))))) {
      List<String> gateway = List.of(app.gatewayUrl());
      assertThat(randomModels(gateway, 8, 8)).containsOnly(503);
      series(app.gatewayUrl());
      Set<String> before = series(app.gatewayUrl());
      assertThat(randomModels(gateway, 200, 25)).containsOnly(503);
      assertFlat(before, series(app.gatewayUrl()));
    }
  }

  @Test
  @DisplayName("the rate limiter forgets a client once its bucket is full again, and tracks a bounded number")
  void rate_limiter_state_expires_and_is_bounded() {
    int maxClients = 40;
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("trusted_proxies", new JsonArray().add("127.0.0.1")).put("admin_key", ADMIN)
        .put("rate_limits", new JsonObject().put("requests_per_second", 0.5).put("burst", 1)
            .put("max_clients", maxClients))))) {
      // each client's bucket is full again 2 s after its request: until then it is tracked
      String clients = "agentloop_rate_limit_clients";
      for (int i = 0; i < maxClients; i++) {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/v1/models"))
            .header("x-forwarded-for", "203.0.113." + i).GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
      }
      double tracked = scrape(app).sum(clients, Map.of());
      assertThat(tracked).isEqualTo(maxClients);
      HttpResponse<String> oneTooMany = Http.send(HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/v1/models"))
          .header("x-forwarded-for", "198.51.100.1").GET().build());
      assertThat(oneTooMany.statusCode()).as("a client past the bound, while every bucket is in use").isEqualTo(429);
      assertThat(oneTooMany.headers().firstValue("retry-after")).isPresent();
      assertThat(Http.json(oneTooMany).getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
      Await.until("every client forgotten once its bucket refilled", Duration.ofSeconds(20), () ->
          scrape(app).sum(clients, Map.of()) == 0);
      HttpResponse<String> later = Http.send(HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/v1/models"))
          .header("x-forwarded-for", "198.51.100.1").GET().build());
      assertThat(later.statusCode()).isEqualTo(200);
    }
  }
}
