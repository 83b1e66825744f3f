package dev.agentloop.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentloop.testkit.Await;
import dev.agentloop.testkit.Http;
import dev.agentloop.testkit.RawHttp;
import dev.agentloop.it.support.TestApp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two agentloop processes in one JVM share nothing: each has its own node (registry, state, rate
 * limits, admission, metrics), even with metrics off and the same registry name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoAppsInOneJvmTest {

  private TestApp first;
  private TestApp second;

  @BeforeAll
  void start() {
    first = TestApp.start(config());
    second = TestApp.start(config());
  }

  /** The same configuration for both, down to the registry name, with metrics off. */
  private static JsonObject config() {
    return new JsonObject()
        .put("metrics", new JsonObject().put("enabled", false).put("registry_name", "one-name-for-both"))
        .put("llm", new JsonObject().put("http_port", 0).put("models", new JsonArray()
            .add(new JsonObject().put("id", "mock-fast").put("tokens", 4))
            .add(new JsonObject().put("id", "endless").put("first_token_ms", 0).put("per_token_ms", 10)
                .put("tokens", 100_000))))
        .put("gateway", new JsonObject()
            .put("rate_limits", new JsonObject().put("requests_per_second", 0.01).put("burst", 2))
            .put("admission", new JsonObject().put("stream", new JsonObject().put("per_client", 1))));
  }

  @AfterAll
  void stop() {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
  }

  private static HttpResponse<String> models(TestApp app) {
    return Http.send(HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/v1/models")).timeout(Duration.ofSeconds(10))
        .GET().build());
  }

  private static HttpResponse<String> stream(TestApp app) {
    return Http.send(HttpRequest.newBuilder(URI.create(app.gatewayUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Http.chat("mock-fast", "x").put("stream", true).encode())).build());
  }

  @Test
  @DisplayName("a stream cap and a rate limit used up in one app leave the other's untouched; metrics stay apart")
  void nothing_leaks_between_two_apps() {
    assertThat(first.registry()).isNotSameAs(second.registry());
    assertThat(first.app().node()).isNotSameAs(second.app().node());
    JsonObject endless = Http.chat("endless", "go on").put("stream", true);
    try (RawHttp held = RawHttp.post(first.app().gatewayPort(), "/v1/chat/completions", null, endless.encode())) {
      assertThat(held.status()).isEqualTo(200);
      // the first app's one stream slot for this client is taken: its next stream is refused ...
      assertThat(stream(first).statusCode()).isEqualTo(429);
      // ... the second app, same client, same configuration, admits one
      HttpResponse<String> other = stream(second);
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(gauge(first, "agentloop_admission_in_use", "stream")).isEqualTo(1);
      // the second app's stream is over: its slot comes back (just after the last byte), the first app's stays held
      Await.until("the second app's stream slot is free", Duration.ofSeconds(5),
          () -> gauge(second, "agentloop_admission_in_use", "stream") == 0);
      assertThat(gauge(first, "agentloop_admission_in_use", "stream")).isEqualTo(1);
    }
    // each app's bucket holds two requests: the first app's are spent, the second app has one left
    assertThat(models(first).statusCode()).isEqualTo(429);
    assertThat(models(second).statusCode()).isEqualTo(200);
    assertThat(models(second).statusCode()).isEqualTo(429);
    assertThat(limited(first)).isEqualTo(1);
    assertThat(limited(second)).isEqualTo(1);
    assertThat(first.registry().find("agentloop_admission_rejected").tags("kind", "stream", "scope", "client")
        .counter().count()).isEqualTo(1);
    assertThat(second.registry().find("agentloop_admission_rejected").tags("kind", "stream", "scope", "client")
        .counter().count()).isZero();
  }

  private static double gauge(TestApp app, String name, String kind) {
    Gauge gauge = app.registry().find(name).tag("kind", kind).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  private static double limited(TestApp app) {
    Counter counter = app.registry().find("agentloop_rate_limited").tag("limit", "requests").counter();
    return counter == null ? 0 : counter.count();
  }
}
