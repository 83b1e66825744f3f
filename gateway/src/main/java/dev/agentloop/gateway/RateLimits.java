package dev.agentloop.gateway;

import dev.agentloop.common.ApiException;
import dev.agentloop.common.openai.ClientId;
import dev.agentloop.common.openai.HttpErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-client request rates shared by every gateway instance of the process: requests per second (a
 * token bucket in its GCRA form, lock-free) answered with 429 and {@code Retry-After}. The client
 * identity comes from {@link ApiKeyAuth}; concurrent work (streams, jobs...) is admitted by
 * {@code Admission}.
 */
final class RateLimits implements Shareable {

  private final double requestsPerSecond;
  private final int burst;
  private final long intervalNanos;
  private final ConcurrentMap<String, AtomicLong> arrivals = new ConcurrentHashMap<>();
  private final Counter limitedRequests;

  private RateLimits(GatewayConfig.Limits config, MeterRegistry registry) {
    this.requestsPerSecond = config.requestsPerSecond();
    this.burst = Math.max(1, config.burst());
    this.intervalNanos = requestsPerSecond > 0 ? (long) (1e9 / requestsPerSecond) : 0;
    this.limitedRequests = Counter.builder("agentloop_rate_limited").tag("limit", "requests")
        .description("Requests refused with 429 by a per-client limit").register(registry);
  }

  /** The process's one instance. */
  static RateLimits of(Vertx vertx, GatewayConfig.Limits config, MeterRegistry registry) {
    LocalMap<String, RateLimits> map = vertx.sharedData().getLocalMap("agentloop.gateway.rate-limits");
    RateLimits fresh = new RateLimits(config, registry);
    RateLimits existing = map.putIfAbsent("limits", fresh);
    return existing != null ? existing : fresh;
  }

  /** The request-rate guard for /v1/*. */
  Handler<RoutingContext> requestGuard() {
    return ctx -> {
      long waitNanos = requestsPerSecond > 0 ? acquire(ClientId.of(ctx)) : 0;
      if (waitNanos > 0) {
        limitedRequests.increment();
        long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999L));
        ctx.response().putHeader("retry-after", String.valueOf(retryAfter));
        HttpErrors.send(ctx.response(), new ApiException(429, "requests", "rate_limit_exceeded", null,
            "Rate limit reached: " + format(requestsPerSecond) + " requests per second. Try again in "
                + retryAfter + " s."));
        return;
      }
      ctx.next();
    };
  }

  /** 0 when the request may go now; otherwise how long until it would conform. */
  private long acquire(String client) {
    AtomicLong theoretical = arrivals.computeIfAbsent(client, k -> new AtomicLong(System.nanoTime()));
    long tolerance = intervalNanos * (burst - 1);
    while (true) {
      long now = System.nanoTime();
      long tat = theoretical.get();
      long start = Math.max(tat, now);
      if (start - now > tolerance) {
        return start - now - tolerance;
      }
      if (theoretical.compareAndSet(tat, start + intervalNanos)) {
        return 0;
      }
    }
  }

  private static String format(double rate) {
    return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
  }
}
