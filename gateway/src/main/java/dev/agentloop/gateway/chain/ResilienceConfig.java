package dev.agentloop.gateway.chain;

import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.Settings;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code gateway.resilience} (the defaults, and {@code max_breakers}, the most models with a
 * circuit breaker) and {@code gateway.models.<model>.{retries,breaker,fallbacks}} (per model),
 * parsed once and checked.
 */
public record ResilienceConfig(Policy defaults, Map<String, Policy> perModel, int maxBreakers) {

  /** How one model is called: retries, circuit breaker, and the models to fall back to. */
  public record Policy(Retries retries, Breaker breaker, List<String> fallbacks) {
  }

  /**
   * At most {@code maxAttempts} tries of a model (the first included); no try of the request, on
   * this model or a fallback, starts later than the requested model's {@code budgetMs} after it arrived.
   */
  public record Retries(int maxAttempts, long baseDelayMs, long maxDelayMs, long budgetMs) {
  }

  /**
   * Opens after {@code failureThreshold} consecutive failures; probes again after {@code resetMs};
   * a probe without an outcome after {@code probeTimeoutMs} no longer holds the half-open slot.
   */
  public record Breaker(boolean enabled, int failureThreshold, long resetMs, long probeTimeoutMs) {
  }

  /** {@code gateway} is the section, over the defaults: every key of {@code resilience} has a value. */
  public static ResilienceConfig from(Settings gateway) {
    Settings resilience = gateway.section("resilience");
    Policy defaults = new Policy(retries(resilience.section("retries")), breaker(resilience.section("breaker")),
        List.of());
    Map<String, Policy> perModel = new HashMap<>();
    Settings models = gateway.section("models");
    for (String model : models.json().fieldNames()) {
      Settings section = models.section(model);
      List<String> fallbacks = section.strings("fallbacks", List.of());
      if (fallbacks.contains(model)) {
        throw section.error("fallbacks", "must not name the model itself");
      }
      perModel.put(model, new Policy(retries(section.section("retries"), defaults.retries()),
          breaker(section.section("breaker"), defaults.breaker()), fallbacks));
    }
    return new ResilienceConfig(defaults, Map.copyOf(perModel), resilience.integer("max_breakers", 1, 1_000_000));
  }

  public Policy policy(String model) {
    return perModel.getOrDefault(model, defaults);
  }

  /** The models this configuration names: those with their own section, and every fallback. */
  public Set<String> namedModels() {
    Set<String> named = new HashSet<>(perModel.keySet());
    perModel.values().forEach(policy -> named.addAll(policy.fallbacks()));
    return Set.copyOf(named);
  }

  private static Retries retries(Settings s) {
    return checked(s, new Retries(
        s.integer("max_attempts", 1, 100),
        s.integer("base_delay_ms", 0, 600_000),
        s.integer("max_delay_ms", 0, 600_000),
        s.integer("budget_ms", 0, 3_600_000)));
  }

  /** A model's own retries: each key it leaves out is the default's. */
  private static Retries retries(Settings s, Retries fallback) {
    return checked(s, new Retries(
        s.integer("max_attempts", fallback.maxAttempts(), 1, 100),
        s.integer("base_delay_ms", (int) fallback.baseDelayMs(), 0, 600_000),
        s.integer("max_delay_ms", (int) fallback.maxDelayMs(), 0, 600_000),
        s.integer("budget_ms", (int) fallback.budgetMs(), 0, 3_600_000)));
  }

  private static Retries checked(Settings s, Retries retries) {
    if (retries.maxDelayMs() < retries.baseDelayMs()) {
      throw new ConfigException(s.name("max_delay_ms") + " must not be below base_delay_ms");
    }
    return retries;
  }

  private static Breaker breaker(Settings s) {
    return new Breaker(s.bool("enabled"), s.integer("failure_threshold", 1, 1_000_000),
        s.integer("reset_ms", 1, 3_600_000), s.integer("probe_timeout_ms", 1, 3_600_000));
  }

  /** A model's own breaker: each key it leaves out is the default's. */
  private static Breaker breaker(Settings s, Breaker fallback) {
    return new Breaker(
        s.bool("enabled", fallback.enabled()),
        s.integer("failure_threshold", fallback.failureThreshold(), 1, 1_000_000),
        s.integer("reset_ms", (int) fallback.resetMs(), 1, 3_600_000),
        s.integer("probe_timeout_ms", (int) fallback.probeTimeoutMs(), 1, 3_600_000));
  }
}
