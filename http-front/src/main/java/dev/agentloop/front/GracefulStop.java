package dev.agentloop.front;

import dev.agentloop.front.openai.ChatRoutes;
import dev.agentloop.contract.ApiException;
import io.vertx.core.Vertx;

/** What an HTTP front does when its grace period is about to run out. */
public final class GracefulStop {

  /** How long before the grace period ends the streams still open get their error event. */
  static final long MARGIN_MS = 500;

  private GracefulStop() {
  }

  /**
   * Requests and streams still in flight shortly before the grace period ends get an error as their
   * terminal message, rather than being cut when the server closes their connections.
   */
  public static void abortInFlightBeforeGraceEnds(Vertx vertx, ChatRoutes routes, long graceMs) {
    if (routes == null) {
      return;
    }
    vertx.setTimer(Math.max(1, graceMs - MARGIN_MS), t -> routes.abortInFlight(ApiException.unavailable(
        "The server is shutting down and could not finish this answer within its grace period.")));
  }
}
