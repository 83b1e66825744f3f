package dev.agentloop.it.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentloop.it.support.LocalAddresses;
import dev.agentloop.it.support.TestApp;
import dev.agentloop.testkit.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AdminAccess guards /metrics, /dashboard and /admin/*")
class AdminAccessTest {

  private static final String KEY = "s3cret-admin-key";

  @Test
  @DisplayName("with an admin key, admin routes need the bearer key; the dashboard also takes ?key= then a cookie")
  void admin_key_is_required_when_configured() {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject().put("admin_key", KEY)))) {
      String base = app.gatewayUrl();
      for (String path : new String[] {"/metrics", "/admin/blocked-threads", "/dashboard", "/admin/feed"}) {
        HttpResponse<String> anonymous = Http.get(base + path);
        assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
        assertThat(MetricsEndpointTest.error(anonymous).getString("code")).isEqualTo("invalid_api_key");
        assertThat(MetricsEndpointTest.get(base + path, "authorization", "Bearer wrong").statusCode()).as(path)
            .isEqualTo(401);
      }
      assertThat(MetricsEndpointTest.get(base + "/metrics", "authorization", "Bearer " + KEY).body())
          .contains("vertx_eventbus_handlers");
      assertThat(MetricsEndpointTest.get(base + "/admin/blocked-threads", "authorization", "Bearer " + KEY)
          .statusCode()).isEqualTo(200);
      assertThat(Http.get(base + "/metrics?key=" + KEY).statusCode()).as("?key= is for the browser pages only")
          .isEqualTo(401);

      HttpResponse<String> page = Http.get(base + "/dashboard?key=" + KEY);
      assertThat(page.statusCode()).isEqualTo(200);
      String cookie = page.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie).startsWith("agentloop_admin=" + KEY).containsIgnoringCase("HttpOnly");
      String pair = cookie.substring(0, cookie.indexOf(';'));
      assertThat(MetricsEndpointTest.get(base + "/dashboard", "cookie", pair).statusCode()).isEqualTo(200);
      assertThat(MetricsEndpointTest.get(base + "/admin/blocked-threads", "cookie", pair).statusCode())
          .as("cookies open the browser pages only").isEqualTo(401);
      assertThat(MetricsEndpointTest.get(base + "/dashboard", "cookie", "agentloop_admin=nope").statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  @DisplayName("without an admin key, a client that is not on loopback gets 403 in OpenAI's shape")
  void non_loopback_clients_are_refused_without_a_key() throws SocketException {
    Optional<InetAddress> external = LocalAddresses.externalIpv4();
    assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to call from");
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject().put("host", "0.0.0.0")))) {
      String outside = "http://" + external.get().getHostAddress() + ":" + app.app().gatewayPort();
      HttpResponse<String> refused = Http.get(outside + "/admin/blocked-threads");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(MetricsEndpointTest.error(refused).getString("type")).isEqualTo("invalid_request_error");
      assertThat(Http.get(outside + "/metrics").statusCode()).isEqualTo(403);
      assertThat(Http.get(outside + "/health/live").statusCode()).as("non-admin routes stay open").isEqualTo(200);
      assertThat(Http.get(app.gatewayUrl() + "/admin/blocked-threads").statusCode()).isEqualTo(200);
    }
  }

  /** The status of a GET, without reading the body (a feed never ends). */
  private static int status(String url, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<Stream<String>> response = Http.client().send(request.build(), HttpResponse.BodyHandlers.ofLines());
    response.body().close();
    return response.statusCode();
  }

  private static HttpResponse<String> from(String url, String forwardedFor) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (forwardedFor != null) {
      request.header("x-forwarded-for", forwardedFor);
    }
    return Http.send(request.build());
  }

  @Test
  @DisplayName("through a trusted proxy nothing is local: admin routes refuse it without a key, whatever X-Forwarded-For says")
  void trusted_proxy_is_never_loopback() throws Exception {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("trusted_proxies", new JsonArray().add("127.0.0.0/8").add("::1"))))) {
      assertThat(status(app.gatewayUrl() + "/admin/feed", "x-forwarded-for", "203.0.113.7")).isEqualTo(403);
      assertThat(status(app.gatewayUrl() + "/admin/feed")).isEqualTo(403);
      for (String path : List.of("/metrics", "/admin/blocked-threads", "/dashboard")) {
        for (String forwarded : new String[] {"203.0.113.7", "127.0.0.1", null}) {
          HttpResponse<String> refused = from(app.gatewayUrl() + path, forwarded);
          assertThat(refused.statusCode()).as("%s with X-Forwarded-For %s", path, forwarded).isEqualTo(403);
          assertThat(MetricsEndpointTest.error(refused).getString("code")).isEqualTo("forbidden");
        }
        assertThat(from(app.llmUrl() + "/metrics", "203.0.113.7").statusCode()).as("the mock port's metrics")
            .isEqualTo(403);
      }
      assertThat(from(app.gatewayUrl() + "/health/live", "203.0.113.7").statusCode()).isEqualTo(200);
      assertThat(from(app.gatewayUrl() + "/v1/models", "203.0.113.7").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("from a peer that is not a trusted proxy X-Forwarded-For is ignored: a local peer stays local")
  void forwarded_for_from_an_untrusted_peer_is_ignored() {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("trusted_proxies", new JsonArray().add("10.255.255.1"))))) {
      assertThat(from(app.gatewayUrl() + "/admin/blocked-threads", "203.0.113.7").statusCode()).isEqualTo(200);
      assertThat(from(app.llmUrl() + "/metrics", "203.0.113.7").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("rate limits without keys count per client: the forwarded client behind a trusted proxy, else the peer")
  void rate_limits_key_on_the_client_address() {
    JsonObject limits = new JsonObject().put("requests_per_second", 0.2).put("burst", 1);
    try (TestApp proxied = TestApp.start(new JsonObject().put("gateway", new JsonObject()
        .put("trusted_proxies", new JsonArray().add("127.0.0.1")).put("rate_limits", limits)))) {
      String models = proxied.gatewayUrl() + "/v1/models";
      assertThat(from(models, "203.0.113.1").statusCode()).isEqualTo(200);
      assertThat(from(models, "203.0.113.1").statusCode()).isEqualTo(429);
      assertThat(from(models, "10.0.0.9, 203.0.113.2").statusCode()).as("the right-most untrusted hop").isEqualTo(200);
      assertThat(from(models, "203.0.113.2, 127.0.0.1").statusCode()).as("trusted hops are skipped").isEqualTo(429);
      assertThat(from(proxied.llmUrl() + "/v1/models", "203.0.113.3").statusCode()).isEqualTo(200);
      assertThat(from(proxied.llmUrl() + "/v1/models", "203.0.113.3").statusCode()).as("the mock port too")
          .isEqualTo(429);
    }
    try (TestApp direct = TestApp.start(new JsonObject().put("gateway", new JsonObject().put("rate_limits", limits)))) {
      String models = direct.gatewayUrl() + "/v1/models";
      assertThat(from(models, "203.0.113.1").statusCode()).isEqualTo(200);
      assertThat(from(models, "203.0.113.2").statusCode()).as("the same peer, whatever it claims").isEqualTo(429);
    }
  }

  @Test
  @DisplayName("?key= works only on the dashboard login; its cookie is HttpOnly, SameSite=Strict, Secure behind TLS")
  void query_key_only_on_the_login_and_cookie_attributes() throws Exception {
    try (TestApp app = TestApp.start(new JsonObject().put("gateway", new JsonObject().put("admin_key", KEY)))) {
      String base = app.gatewayUrl();
      for (String path : List.of("/admin/feed", "/metrics", "/admin/blocked-threads")) {
        assertThat(status(base + path + "?key=" + KEY)).as(path + "?key=").isEqualTo(401);
      }
      assertThat(Http.get(app.llmUrl() + "/metrics?key=" + KEY).statusCode()).as("mock port /metrics?key=")
          .isEqualTo(401);
      HttpResponse<String> login = Http.get(base + "/dashboard?key=" + KEY);
      assertThat(login.statusCode()).isEqualTo(200);
      String cookie = login.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict")
          .doesNotContainIgnoringCase("Secure;").doesNotEndWith("Secure");
      String pair = cookie.substring(0, cookie.indexOf(';'));
      assertThat(status(base + "/admin/feed", "cookie", pair)).as("the feed takes the cookie").isEqualTo(200);
    }
    try (TestApp tls = TestApp.start(new JsonObject().put("gateway", new JsonObject().put("admin_key", KEY)
        .put("tls_terminated_upstream", true)))) {
      String cookie = Http.get(tls.gatewayUrl() + "/dashboard?key=" + KEY).headers().firstValue("set-cookie")
          .orElseThrow();
      assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict")
          .containsIgnoringCase("Secure");
    }
  }
}
