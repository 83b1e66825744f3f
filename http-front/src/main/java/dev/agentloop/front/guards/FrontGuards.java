package dev.agentloop.front.guards;

import dev.agentloop.front.ApiRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The guards of one HTTP front, the same on every front: API keys and the request rate on /v1/*
 * (before any body is read), and the admin rule for /metrics and the operator's pages (streams are
 * admitted by {@code Admission}). Built once per verticle instance; the rate limiter is the node's.
 */
public record FrontGuards(GuardsConfig config, ApiKeyAuth auth, RateLimits rateLimits, AdminAccess admin) {

  /** The guards of one front instance, over the node's {@code rateLimits}. */
  public static FrontGuards of(GuardsConfig config, RateLimits rateLimits, MeterRegistry registry) {
    ApiKeyAuth auth = new ApiKeyAuth(config.apiKeys(), config.adminKey(), Counter.builder("agentloop_auth_failures")
        .description("Requests refused with 401").register(registry), config.trustedProxies());
    return new FrontGuards(config, auth, rateLimits, AdminAccess.from(config));
  }

  /** A router whose /v1/* routes pass the key check, then the rate limit, then the body limit. */
  public Router router(Vertx vertx, long bodyLimitBytes) {
    return ApiRouter.create(vertx, bodyLimitBytes, auth, rateLimits.requestGuard());
  }

  /**
   * {@code GET /metrics} behind the admin rule. A scrape formats every series (cold, it took
   * ~190 ms here), so it runs on a worker, never on the event loop.
   */
  public void mountMetrics(Router router, String registryName) {
    router.get("/metrics").handler(admin).blockingHandler(PrometheusScrapingHandler.create(registryName), false);
  }
}
