package dev.agentloop.gateway.admin;

import dev.agentloop.contract.ApiException;
import dev.agentloop.contract.node.Node;
import dev.agentloop.contract.node.ObservabilityConfig;
import dev.agentloop.front.guards.AdminAccess;
import dev.agentloop.front.guards.FrontGuards;
import dev.agentloop.contract.node.Metrics;
import dev.agentloop.contract.node.BlockedThreads;
import dev.agentloop.contract.node.ObservabilityConfig;
import dev.agentloop.gateway.settings.GatewaySettings;
import dev.agentloop.front.HttpErrors;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * The operator's routes, all behind {@link AdminAccess}: {@code GET /metrics} (Prometheus),
 * {@code GET /dashboard} (a live page from the jar, and the one login that takes {@code ?key=}) and
 * its feed {@code GET /admin/feed} (one JSON snapshot per second as server-sent events), {@code GET
 * /admin/blocked-threads}, and, only when {@code observability.demo_enabled}, the learners'
 * {@code POST /admin/demo/block|offload?ms=N}.
 */
public final class AdminRoutes {

  static final String DASHBOARD_RESOURCE = "agentloop-dashboard/index.html";
  private static final long FEED_PERIOD_MS = 1_000;

  private final Vertx vertx;
  private final GatewaySettings gateway;
  private final Node node;
  private final ObservabilityConfig observability;
  private final MeterRegistry registry;
  private final FrontGuards guards;
  private final AdminAccess access;
  private final Set<HttpServerResponse> feeds = new HashSet<>();
  private Buffer dashboard;

  public AdminRoutes(Vertx vertx, GatewaySettings gateway, Node node, FrontGuards guards) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.node = node;
    this.observability = gateway.observability();
    this.registry = node.registry();
    this.guards = guards;
    this.access = guards.admin();
  }

  /** Mounts the routes; completes once the dashboard page is loaded from the jar. */
  public Future<Void> mount(Router router) {
    if (gateway.metricsEnabled()) {
      guards.mountMetrics(router, gateway.metricsRegistry());
    }
    router.get("/dashboard").handler(access.login()).handler(this::dashboard);
    router.get("/admin/feed").handler(access.withCookie()).handler(this::feed);
    router.get("/admin/blocked-threads").handler(access)
        .handler(ctx -> ctx.json(node.blockedThreads().toJson()));
    if (observability.demoEnabled()) {
      router.post("/admin/demo/block").handler(access).handler(this::block);
      router.post("/admin/demo/offload").handler(access).handler(this::offload);
    }
    return vertx.executeBlocking(() -> {
      // one throwaway sample on a worker loads the sampler's classes there, not on a loop at the first feed
      new DashboardSampler(registry, node.blockedThreads()).sample().encode();
      return readDashboard();
    }).onSuccess(page -> dashboard = page).mapEmpty();
  }

  /** Ends the open feeds so a draining server is not held up by them. */
  public void closeFeeds() {
    Set.copyOf(feeds).forEach(HttpServerResponse::end);
    feeds.clear();
  }

  private static Buffer readDashboard() throws IOException {
    try (InputStream in = AdminRoutes.class.getClassLoader().getResourceAsStream(DASHBOARD_RESOURCE)) {
      if (in == null) {
        throw new IOException(DASHBOARD_RESOURCE + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private void dashboard(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "text/html; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .putHeader("content-security-policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
        .end(dashboard);
  }

  private void feed(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
    DashboardSampler sampler = new DashboardSampler(registry, node.blockedThreads());
    feeds.add(response);
    Runnable push = () -> {
      if (node.state().isDraining()) {
        response.end();
      } else if (!response.writeQueueFull()) {
        response.write("data: " + sampler.sample().encode() + "\n\n");
      }
    };
    push.run();
    long timer = vertx.setPeriodic(FEED_PERIOD_MS, id -> push.run());
    response.closeHandler(v -> {
      vertx.cancelTimer(timer);
      feeds.remove(response);
    });
    response.endHandler(v -> {
      vertx.cancelTimer(timer);
      feeds.remove(response);
    });
  }

  private void block(RoutingContext ctx) {
    Integer ms = demoMillis(ctx);
    if (ms == null) {
      return;
    }
    String thread = Thread.currentThread().getName();
    long started = System.nanoTime();
    DemoWork.pretendToWork(ms); // runs ON the event loop: this is the point of the demo
    ctx.json(demoResult("blocked the event loop", ms, thread, thread, started));
  }

  private void offload(RoutingContext ctx) {
    Integer ms = demoMillis(ctx);
    if (ms == null) {
      return;
    }
    String thread = Thread.currentThread().getName();
    long started = System.nanoTime();
    vertx.executeBlocking(() -> {
      DemoWork.pretendToWork(ms);
      return Thread.currentThread().getName();
    }, false).onSuccess(ranOn -> ctx.json(demoResult("offloaded to a worker with executeBlocking", ms, thread, ranOn,
        started))).onFailure(ctx::fail);
  }

  private Integer demoMillis(RoutingContext ctx) {
    String raw = ctx.request().getParam("ms");
    int max = observability.demoMaxMs();
    try {
      int ms = Integer.parseInt(raw == null ? "" : raw.trim());
      if (ms >= 1 && ms <= max) {
        return ms;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    ctx.fail(ApiException.badRequest(
        "Query parameter ms must be a whole number of milliseconds between 1 and " + max + ".", "ms"));
    return null;
  }

  private static JsonObject demoResult(String mode, int ms, String loop, String ranOn, long started) {
    return new JsonObject().put("mode", mode).put("ms", ms).put("event_loop", loop).put("ran_on", ranOn)
        .put("took_ms", (System.nanoTime() - started) / 1_000_000);
  }
}
