package dev.agentloop.front.guards;

import dev.agentloop.contract.config.Settings;
import java.util.List;

/**
 * What every HTTP front enforces (the gateway and the mock's own port alike), read from the
 * {@code gateway} section: API keys (some marked admin), per-client rate limits, the admin key, the trusted proxies,
 * and whether TLS terminates upstream (the admin cookie is then {@code Secure}).
 */
public record GuardsConfig(List<ApiKey> apiKeys, RateLimits.Config rateLimits, String adminKey,
    TrustedProxies trustedProxies, boolean tlsTerminatedUpstream) {

  /** Reads the {@code gateway} section. */
  public static GuardsConfig from(Settings gateway) {
    Settings rates = gateway.section("rate_limits");
    String adminKey = gateway.optionalString("admin_key");
    return new GuardsConfig(
        ApiKey.list(gateway),
        new RateLimits.Config(rates.number("requests_per_second", 0, 1e9), rates.integer("burst", 0, 1_000_000_000),
            rates.integer("max_clients", 1, 100_000_000)),
        adminKey == null || adminKey.isBlank() ? null : adminKey.trim(),
        TrustedProxies.of(gateway.strings("trusted_proxies"), gateway.name("trusted_proxies")),
        gateway.bool("tls_terminated_upstream"));
  }
}
