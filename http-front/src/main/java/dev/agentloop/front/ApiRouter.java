package dev.agentloop.front;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A router with the one error path: every failure, unknown path or method, unparsable request and
 * oversized body reaches its failure handler ({@link HttpErrors}), which answers in the route's
 * error format.
 */
public final class ApiRouter {

  private ApiRouter() {
  }

  /**
   * Body handling for /v1/*, after the {@code guards} (auth, rate limits: they run before any body
   * is read); mount routes on it, then call {@link #finish}.
   */
  @SafeVarargs
  public static Router create(Vertx vertx, long bodyLimitBytes, Handler<RoutingContext>... guards) {
    Router router = Router.router(vertx);
    router.route().order(Integer.MIN_VALUE).handler(HttpErrors::screen);
    for (Handler<RoutingContext> guard : guards) {
      router.route("/v1/*").handler(guard);
    }
    router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(bodyLimitBytes));
    return router;
  }

  /** Adds the catch-all 404 and the failure handler, every route in OpenAI's error shape. */
  public static Router finish(Router router) {
    return finish(router, ErrorFormats.openAi());
  }

  /** Adds the catch-all 404 and the failure handler, each route's errors in its format; call after mounting every route. */
  public static Router finish(Router router, ErrorFormats formats) {
    router.route().last().handler(HttpErrors::notFound);
    router.route().failureHandler(HttpErrors.failureHandler(formats));
    return router;
  }
}
