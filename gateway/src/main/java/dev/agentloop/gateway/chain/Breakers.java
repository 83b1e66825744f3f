package dev.agentloop.gateway.chain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breakers of one process (one per model) and the resilience series: breaker state as
 * {@code agentloop_breaker_state{model}} (0 closed, 1 open, 2 half-open), retries as
 * {@code agentloop_retries_total{model,reason}}, fallbacks as {@code agentloop_fallbacks_total{from,to}}.
 * One instance per node, shared by every verticle that calls models.
 *
 * <p>A model name is the client's choice, so a breaker (and its series) exists only for a model
 * known to exist: one the configuration names, or one whose service answered with something other
 * than "no such model". At most {@code gateway.resilience.max_breakers} are kept; past that, other
 * models run without a breaker. Retries of a model not known are counted under {@code model="other"}.
 */
public final class Breakers {

  static final String OTHER = "other";
  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

  private final MeterRegistry registry;
  private final ResilienceConfig config;
  private final Set<String> named;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicBoolean warnedFull = new AtomicBoolean();

  /** The node's breakers; built once with the node and shared by every verticle that calls models. */
  public Breakers(MeterRegistry registry, ResilienceConfig config) {
    this.registry = registry;
    this.config = config;
    this.named = config.namedModels();
  }

  public ResilienceConfig config() {
    return config;
  }

  /** The model's breaker, or null while the model is not known to exist. */
  public CircuitBreaker find(String model) {
    CircuitBreaker breaker = breakers.get(model);
    return breaker != null || !named.contains(model) ? breaker : known(model);
  }

  /**
   * The breaker of a model its service has shown to exist, created on first use; null when
   * {@code max_breakers} are in use (a model the configuration names always gets one).
   */
  public CircuitBreaker known(String model) {
    CircuitBreaker existing = breakers.get(model);
    if (existing != null) {
      return existing;
    }
    if (breakers.size() >= config.maxBreakers() && !named.contains(model)) {
      if (warnedFull.compareAndSet(false, true)) {
        LOG.warn("{} models have a circuit breaker (gateway.resilience.max_breakers); further models run without one",
            config.maxBreakers());
      }
      return null;
    }
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
    String label = breakers.containsKey(model) || named.contains(model) ? model : OTHER;
    counters.computeIfAbsent("r/" + label + "/" + reason, k -> Counter.builder("agentloop_retries")
        .description("Model calls retried after a failure that was safe to retry")
        .tags("model", label, "reason", reason).register(registry)).increment();
  }

  void fellBack(String from, String to) {
    counters.computeIfAbsent("f/" + from + "/" + to, k -> Counter.builder("agentloop_fallbacks")
        .description("Requests answered by a fallback model instead of the one asked for")
        .tags("from", from, "to", to).register(registry)).increment();
  }
}
