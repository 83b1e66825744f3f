package dev.agentloop.deploy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentloop.deploy.support.Http;
import dev.agentloop.deploy.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Optional;
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
    Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .filter(nic -> {
          try {
            return nic.isUp() && !nic.isLoopback();
          } catch (SocketException e) {
            return false;
          }
        })
        .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
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
}
