package dev.agentloop.gateway.resilience;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The circuit breakers of one process (one per model) and the resilience series: breaker state as
 * {@code agentloop_breaker_state{model}} (0 closed, 1 open, 2 half-open), retries as
 * {@code agentloop_retries_total{model,reason}}, fallbacks as {@code agentloop_fallbacks_total{from,to}}.
 * One instance per metrics registry, shared by every verticle that calls models.
 */
public final class Breakers {

  private static final Map<MeterRegistry, Breakers> INSTANCES = new ConcurrentHashMap<>();

  private final MeterRegistry registry;
  private final ResilienceConfig config;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  private Breakers(MeterRegistry registry, ResilienceConfig config) {
    this.registry = registry;
    this.config = config;
  }

  public static Breakers of(MeterRegistry registry, ResilienceConfig config) {
    return INSTANCES.computeIfAbsent(registry, r -> new Breakers(r, config));
  }

  public ResilienceConfig config() {
    return config;
  }

  public CircuitBreaker breaker(String model) {
    return breakers.computeIfAbsent(model, m -> {
      CircuitBreaker breaker = new CircuitBreaker(config.policy(m).breaker());
      Gauge.builder("agentloop_breaker_state", breaker, b -> b.state().gauge())
          .description("Circuit breaker per model: 0 closed, 1 open, 2 half-open")
          .tag("model", m)
          .register(registry);
      return breaker;
    });
  }

  void retried(String model, String reason) {
    counters.computeIfAbsent("r/" + model + "/" + reason, k -> Counter.builder("agentloop_retries")
        .description("Model calls retried after a failure that was safe to retry")
        .tags("model", model, "reason", reason).register(registry)).increment();
  }

  void fellBack(String from, String to) {
    counters.computeIfAbsent("f/" + from + "/" + to, k -> Counter.builder("agentloop_fallbacks")
        .description("Requests answered by a fallback model instead of the one asked for")
        .tags("from", from, "to", to).register(registry)).increment();
  }
}
