package dev.agentloop.front.guards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.ConfigLoader;
import dev.agentloop.contract.config.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  private static final TrustedProxies PROXIES = TrustedProxies.of(
      List.of("10.0.0.0/8", "127.0.0.1", "fd00::/8", "192.168.1.128/25"), "gateway.trusted_proxies");

  private static ClientAddress resolve(String peer, String... forwardedFor) {
    return PROXIES.resolve(SocketAddress.inetSocketAddress(1234, peer), List.of(forwardedFor));
  }

  @Test
  @DisplayName("a peer that is no trusted proxy is the client, whatever X-Forwarded-For says")
  void untrusted_peer() {
    assertThat(resolve("203.0.113.5", "127.0.0.1")).isEqualTo(new ClientAddress("203.0.113.5", false, false));
    assertThat(resolve("127.0.0.2", "203.0.113.9")).isEqualTo(new ClientAddress("127.0.0.2", false, true));
    assertThat(resolve("::1")).isEqualTo(new ClientAddress("::1", false, true));
    assertThat(resolve("192.168.1.127", "1.2.3.4").ip()).as("just outside the /25").isEqualTo("192.168.1.127");
  }

  @Test
  @DisplayName("behind trusted proxies the client is the right-most untrusted hop, and never loopback")
  void trusted_peer() {
    assertThat(resolve("127.0.0.1", "198.51.100.1, 203.0.113.5")).isEqualTo(new ClientAddress("203.0.113.5", true, false));
    assertThat(resolve("10.1.2.3", "203.0.113.5, 10.9.9.9", "192.168.1.200")).as("trusted hops skipped, across lines")
        .isEqualTo(new ClientAddress("203.0.113.5", true, false));
    assertThat(resolve("127.0.0.1", "127.0.0.1")).as("all trusted: the left-most").isEqualTo(
        new ClientAddress("127.0.0.1", true, false));
    assertThat(resolve("127.0.0.1")).as("no header: the proxy itself, not local").isEqualTo(
        new ClientAddress("127.0.0.1", true, false));
    assertThat(resolve("127.0.0.1", "not-an-ip, 10.0.0.1")).isEqualTo(new ClientAddress("unknown", true, false));
    assertThat(resolve("fd12::1", "[2001:db8::7]")).isEqualTo(new ClientAddress("2001:db8::7", true, false));
    assertThat(resolve("::ffff:127.0.0.1", "::ffff:203.0.113.5").ip()).as("IPv4-mapped addresses are IPv4")
        .isEqualTo("203.0.113.5");
    assertThat(resolve("127.0.0.1", " , ,203.0.113.5 ,, ").ip()).isEqualTo("203.0.113.5");
  }

  @Test
  @DisplayName("at most 32 hops are read: a longer chain of trusted hops ends at the 32nd")
  void hops_are_bounded() {
    String chain = "203.0.113.5, " + "10.0.0.1, ".repeat(100) + "10.0.0.2";
    assertThat(resolve("127.0.0.1", chain)).isEqualTo(new ClientAddress("10.0.0.1", true, false));
  }

  @Test
  @DisplayName("bad entries fail at start with the key's name")
  void bad_entries() {
    for (String bad : List.of("localhost", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "1.2.3")) {
      assertThatThrownBy(() -> TrustedProxies.of(List.of(bad), "gateway.trusted_proxies"))
          .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.trusted_proxies").hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> GuardsConfig.from(Settings.root(ConfigLoader.merge(ConfigLoader.defaults(),
        new JsonObject().put("gateway", new JsonObject().put("trusted_proxies", new JsonArray().add("proxy.local")))))
        .section("gateway"))).hasMessageContaining("gateway.trusted_proxies");
  }
}
