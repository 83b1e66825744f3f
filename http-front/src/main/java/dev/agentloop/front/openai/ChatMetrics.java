package dev.agentloop.front.openai;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The product's own series for an OpenAI-compatible front ({@code front} = gateway or llm):
 * streams in flight, tokens streamed, time to first token and total latency per model, errors by
 * status. One instance per node and front, shared by every verticle instance of that front.
 */
public final class ChatMetrics {

  private final MeterRegistry registry;
  private final String front;
  private final AtomicInteger streamsInFlight = new AtomicInteger();
  private final Map<String, Counter> tokens = new ConcurrentHashMap<>();
  private final Map<String, Timer> firstToken = new ConcurrentHashMap<>();
  private final Map<String, Timer> total = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> disconnects = new ConcurrentHashMap<>();

  /** The series of one front; built once per node and front, and shared by the front's verticle instances. */
  public ChatMetrics(MeterRegistry registry, String front) {
    this.registry = registry;
    this.front = front;
    Gauge.builder("agentloop_streams_in_flight", streamsInFlight, AtomicInteger::get)
        .description("SSE chat streams currently open")
        .tag("front", front)
        .register(registry);
  }

  public int streamsInFlight() {
    return streamsInFlight.get();
  }

  public void streamOpened() {
    streamsInFlight.incrementAndGet();
  }

  public void streamClosed() {
    streamsInFlight.decrementAndGet();
  }

  public void tokens(String model, int count) {
    tokens.computeIfAbsent(model, m -> Counter.builder("agentloop_tokens_streamed")
        .description("Completion tokens written to clients").tags("front", front, "model", m).register(registry))
        .increment(count);
  }

  public void firstToken(String model, long nanos) {
    firstToken.computeIfAbsent(model, m -> Timer.builder("agentloop_time_to_first_token")
            .description("From request to the model's first token").tags("front", front, "model", m)
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30)).register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void completed(String model, long nanos) {
    total.computeIfAbsent(model, m -> Timer.builder("agentloop_chat_latency")
            .description("From request to the last byte of the answer").tags("front", front, "model", m)
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(120)).register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void error(int status) {
    String kind = String.valueOf(status);
    errors.computeIfAbsent(kind, k -> Counter.builder("agentloop_chat_errors")
        .description("Chat requests that ended in an error, by HTTP status").tags("front", front, "status", k)
        .register(registry)).increment();
  }

  public void clientGone(String model) {
    disconnects.computeIfAbsent(model, m -> Counter.builder("agentloop_client_disconnects")
        .description("Chat requests whose client went away before the answer ended").tags("front", front, "model", m)
        .register(registry)).increment();
  }
}
