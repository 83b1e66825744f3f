package dev.agentloop.front.guards;

import dev.agentloop.contract.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-client request rates shared by every HTTP front of the process: requests per second (a token
 * bucket in its GCRA form) answered with 429 and {@code Retry-After}. The client identity comes from
 * {@link ApiKeyAuth}; concurrent work (streams, jobs...) is admitted by {@code Admission}.
 *
 * <p>A client is tracked only while its bucket is not full: once it has refilled, the entry says
 * nothing a fresh one would not, and a sweep every second (on a worker) drops it. At most
 * {@code max_clients} are tracked; a new client past that while every tracked bucket is still in
 * use gets a 429 until some refill. Series: {@code agentloop_rate_limit_clients}.
 */
public final class RateLimits {

  /** {@code gateway.rate_limits}: per client; 0 turns a limit off. */
  public record Config(double requestsPerSecond, int burst, int maxClients) {
  }

  static final long SWEEP_MS = 1_000;

  private final double requestsPerSecond;
  private final int burst;
  private final int maxClients;
  private final long intervalNanos;
  private final long toleranceNanos;
  /** The theoretical arrival time (GCRA) of each client's next request, on the {@link System#nanoTime()} scale. */
  private final ConcurrentMap<String, Long> arrivals = new ConcurrentHashMap<>();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final Counter limitedRequests;
  private final Counter limitedClients;

  private RateLimits(Config config, MeterRegistry registry) {
    this.requestsPerSecond = config.requestsPerSecond();
    this.burst = Math.max(1, config.burst());
    this.maxClients = config.maxClients();
    this.intervalNanos = requestsPerSecond > 0 ? (long) (1e9 / requestsPerSecond) : 0;
    this.toleranceNanos = intervalNanos * (burst - 1);
    this.limitedRequests = counter(registry, "requests");
    this.limitedClients = counter(registry, "clients");
    Gauge.builder("agentloop_rate_limit_clients", arrivals, Map::size)
        .description("Clients whose request bucket is not full yet (tracked by the rate limiter)")
        .register(registry);
  }

  private static Counter counter(MeterRegistry registry, String limit) {
    return Counter.builder("agentloop_rate_limited").tag("limit", limit)
        .description("Requests refused with 429 by a per-client limit").register(registry);
  }

  /**
   * The node's one instance, built with the node and shared by both fronts; its sweep runs on a
   * timer of {@code vertx} until the node closes.
   */
  public static RateLimits create(Vertx vertx, Config config, MeterRegistry registry) {
    RateLimits limits = new RateLimits(config, registry);
    if (limits.requestsPerSecond > 0 && limits.sweeping.compareAndSet(false, true)) {
      vertx.setPeriodic(SWEEP_MS, id -> vertx.executeBlocking(limits::sweep, false));
    }
    return limits;
  }

  /** The request-rate guard for /v1/*. */
  public Handler<RoutingContext> requestGuard() {
    return ctx -> {
      long waitNanos = requestsPerSecond > 0 ? acquire(ctx.get(ApiKeyAuth.CLIENT)) : 0;
      if (waitNanos > 0) {
        limitedRequests.increment();
        refuse(ctx, waitNanos, "Rate limit reached: " + format(requestsPerSecond) + " requests per second.");
        return;
      }
      if (waitNanos < 0) {
        limitedClients.increment();
        refuse(ctx, intervalNanos + toleranceNanos, "Too many clients are rate-limited at once.");
        return;
      }
      ctx.next();
    };
  }

  /** 0 when the request may go now; how long until it would conform; -1 when no new client fits. */
  private long acquire(String client) {
    long now = System.nanoTime();
    if (arrivals.size() >= maxClients && !arrivals.containsKey(client)) {
      return -1;
    }
    long[] wait = {0};
    arrivals.compute(client, (k, tat) -> {
      long start = tat == null ? now : Math.max(tat, now);
      if (start - now > toleranceNanos) {
        wait[0] = start - now - toleranceNanos;
        return tat;
      }
      return start + intervalNanos;
    });
    return wait[0];
  }

  /** Forgets the clients whose bucket is full again (their next request would conform at once). */
  private Void sweep() {
    long now = System.nanoTime();
    arrivals.values().removeIf(tat -> tat - now <= 0);
    return null;
  }

  private void refuse(RoutingContext ctx, long waitNanos, String why) {
    long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999L));
    ctx.fail(ApiException.tooManyRequests(why + " Try again in " + retryAfter + " s.", (int) retryAfter));
  }

  private static String format(double rate) {
    return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
  }
}
