package dev.agentloop.front;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Adds {@code Server-Timing: gateway;dur=G, model;dur=M} to every response: M is the time spent
 * waiting for the model (for a stream, the headers leave with the first token, so M is the time to
 * first token), G is everything else the gateway spent until the headers went out. Milliseconds.
 * Mount first ({@code order(-1)}); handlers report model waits through {@link #modelWait}.
 */
public final class ServerTiming implements Handler<RoutingContext> {

  private static final String STARTED = "agentloop.timing.started";
  private static final String MODEL = "agentloop.timing.model";

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    ctx.put(STARTED, started);
    ctx.addHeadersEndHandler(v -> {
      long total = System.nanoTime() - started;
      long model = Math.min(ctx.<Long>get(MODEL, 0L), total);
      ctx.response().putHeader("server-timing", String.format(Locale.ROOT, "gateway;dur=%.1f, model;dur=%.1f",
          (total - model) / 1e6, model / 1e6));
    });
    ctx.next();
  }

  /** Adds {@code nanos} of waiting for the model to this request's timing. */
  public static void modelWait(RoutingContext ctx, long nanos) {
    ctx.put(MODEL, ctx.<Long>get(MODEL, 0L) + nanos);
  }
}
