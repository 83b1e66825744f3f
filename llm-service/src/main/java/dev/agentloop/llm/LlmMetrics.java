package dev.agentloop.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generations by model and outcome, tokens generated, and generations running now, each tagged with
 * the {@code node} that ran them, so the spread over several llm-service processes shows per instance.
 */
public final class LlmMetrics {

  private final MeterRegistry registry;
  private final String node;
  private final AtomicInteger active = new AtomicInteger();
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Counter> tokens = new ConcurrentHashMap<>();
  private final Map<String, Counter> embedRequests = new ConcurrentHashMap<>();
  private final Map<String, Counter> embedInputs = new ConcurrentHashMap<>();
  private final Map<String, Counter> embedTokens = new ConcurrentHashMap<>();

  /** The series of one node's llm-service; built once with the node and shared by its instances. */
  public LlmMetrics(MeterRegistry registry, String node) {
    this.registry = registry;
    this.node = node;
    Gauge.builder("agentloop_llm_generations_active", active, AtomicInteger::get)
        .description("Mock generations running now (timers held)")
        .tag("node", node)
        .register(registry);
  }

  void started() {
    active.incrementAndGet();
  }

  void ended(String model, Generation.Outcome outcome) {
    active.decrementAndGet();
    String key = model + "/" + outcome;
    outcomes.computeIfAbsent(key, k -> Counter.builder("agentloop_llm_generations")
        .description("Mock generations that ended, by outcome (completed, failed, cancelled)")
        .tags("model", model, "outcome", outcome.name().toLowerCase(), "node", node).register(registry)).increment();
  }

  Counter tokens(String model) {
    return tokens.computeIfAbsent(model, m -> Counter.builder("agentloop_llm_tokens_generated")
        .description("Tokens the mock models produced").tags("model", m, "node", node).register(registry));
  }

  /** An embeddings request of a configured model (only those reach here), with its inputs. */
  void embedded(String model, int inputs) {
    embedRequests.computeIfAbsent(model, m -> Counter.builder("agentloop_llm_embedding_requests")
        .description("Embedding requests the mock accepted").tags("model", m, "node", node).register(registry))
        .increment();
    embedInputs.computeIfAbsent(model, m -> Counter.builder("agentloop_llm_embedding_inputs")
        .description("Inputs the mock embedded").tags("model", m, "node", node).register(registry))
        .increment(inputs);
  }

  void embeddingTokens(String model, int count) {
    embedTokens.computeIfAbsent(model, m -> Counter.builder("agentloop_llm_embedding_tokens")
        .description("Prompt tokens of the inputs the mock embedded").tags("model", m, "node", node)
        .register(registry)).increment(count);
  }
}
