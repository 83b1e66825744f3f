package dev.agentloop.front.guards;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.config.Settings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of concurrent work, one mechanism for every kind of it: a slot per piece of work, counted
 * per client (an API key, or the remote address without keys) and in all, against the caps of
 * {@code gateway.admission.<kind>}. Past a cap the caller gets a 429 with a Retry-After hint. One
 * instance per node, built with it and handed to every verticle that admits work (both HTTP fronts,
 * the jobs and agent verticles), so it is thread-safe and lock-free; a client's counter exists only
 * while it holds a slot.
 */
public final class Admission {

  /** The kinds of concurrent work, each with its own caps, as config keys and metric labels. */
  public enum Kind {
    STREAM("stream", "concurrent streams"),
    FANOUT("fanout", "concurrent fan-outs"),
    JOB("job", "active jobs"),
    AGENT_RUN("agent_run", "concurrent agent runs"),
    EMBEDDINGS("embeddings", "concurrent embedding requests");

    private final String key;
    private final String words;

    Kind(String key, String words) {
      this.key = key;
      this.words = words;
    }

    public String key() {
      return key;
    }
  }

  /** A held slot; {@link #release} gives it back, once, from any thread. */
  public interface Permit {
    void release();
  }

  /** {@code per_client} and {@code global} of one kind; 0 turns a cap off. */
  public record Cap(int perClient, int global) {
  }

  /** The {@code gateway.admission} section, parsed once and checked. */
  public record Config(Map<Kind, Cap> caps, int retryAfterSeconds) {

    public Cap cap(Kind kind) {
      return caps.get(kind);
    }

    /** Reads {@code admission} of the {@code gateway} section. */
    public static Config from(Settings gateway) {
      Settings rates = gateway.section("rate_limits");
      if (rates.has("concurrent_streams")) {
        throw rates.error("concurrent_streams", "is replaced by gateway.admission.stream.per_client; set that instead");
      }
      Settings admission = gateway.section("admission");
      Map<Kind, Cap> caps = new EnumMap<>(Kind.class);
      for (Kind kind : Kind.values()) {
        Settings section = admission.section(kind.key);
        caps.put(kind, new Cap(section.integer("per_client", 0, 1_000_000_000),
            section.integer("global", 0, 1_000_000_000)));
      }
      return new Config(Map.copyOf(caps), admission.integer("retry_after_s", 1, 3600));
    }
  }

  private static final Permit NOTHING_HELD = () -> { };

  private final Config config;
  private final Map<Kind, Counts> counts = new EnumMap<>(Kind.class);

  /** What one kind holds: the total, and per client only while the per-client cap is on. */
  private final class Counts {
    final Kind kind;
    final Cap cap;
    final AtomicInteger inUse = new AtomicInteger();
    final ConcurrentMap<String, Integer> byClient = new ConcurrentHashMap<>();
    final Counter clientRejections;
    final Counter globalRejections;

    Counts(Kind kind, MeterRegistry registry) {
      this.kind = kind;
      this.cap = config.cap(kind);
      this.clientRejections = rejections(registry, "client");
      this.globalRejections = rejections(registry, "global");
      Gauge.builder("agentloop_admission_in_use", inUse, AtomicInteger::get)
          .description("Slots of concurrent work held now, by kind").tag("kind", kind.key).register(registry);
    }

    private Counter rejections(MeterRegistry registry, String scope) {
      return Counter.builder("agentloop_admission_rejected").tag("kind", kind.key).tag("scope", scope)
          .description("Work refused with 429 by an admission cap, by kind and by the cap (client or global)")
          .register(registry);
    }
  }

  public Admission(Config config, MeterRegistry registry) {
    this.config = config;
    for (Kind kind : Kind.values()) {
      counts.put(kind, new Counts(kind, registry));
    }
  }

  /** A slot of {@code kind} for {@code client}, or an {@link ApiException} 429 with a Retry-After hint. */
  public Permit admit(Kind kind, String client) {
    Counts c = counts.get(kind);
    if (c.cap.perClient() > 0 && !takeClientSlot(c, client)) {
      c.clientRejections.increment();
      throw refusal(kind, c.cap.perClient() + " per client");
    }
    if (c.inUse.incrementAndGet() > c.cap.global() && c.cap.global() > 0) {
      c.inUse.decrementAndGet();
      giveClientSlot(c, client);
      c.globalRejections.increment();
      throw refusal(kind, c.cap.global() + " in all");
    }
    AtomicBoolean held = new AtomicBoolean(true);
    return () -> {
      if (held.compareAndSet(true, false)) {
        c.inUse.decrementAndGet();
        giveClientSlot(c, client);
      }
    };
  }

  /** A slot that holds nothing, for work that is not admitted (e.g. a plain chat). */
  public static Permit none() {
    return NOTHING_HELD;
  }

  private static boolean takeClientSlot(Counts c, String client) {
    boolean[] taken = {false};
    c.byClient.compute(client, (k, n) -> {
      int held = n == null ? 0 : n;
      if (held >= c.cap.perClient()) {
        return n; // unchanged (null stays absent)
      }
      taken[0] = true;
      return held + 1;
    });
    return taken[0];
  }

  /** Gives a client's slot back; the client's entry goes when it holds none. */
  private static void giveClientSlot(Counts c, String client) {
    if (c.cap.perClient() > 0) {
      c.byClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  private ApiException refusal(Kind kind, String cap) {
    return ApiException.tooManyRequests("Too many " + kind.words + ": at most " + cap + ". Try again in "
        + config.retryAfterSeconds() + " s.", config.retryAfterSeconds());
  }

  /** Slots of {@code kind} held now. */
  public int inUse(Kind kind) {
    return counts.get(kind).inUse.get();
  }

  /** Clients holding a slot of {@code kind} now (the per-client state that exists). */
  int clientsTracked(Kind kind) {
    return counts.get(kind).byClient.size();
  }
}
