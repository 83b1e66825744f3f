package dev.agentloop.bench;

import io.vertx.core.Vertx;

/**
 * The load generator's own event-loop lag: a timer due every 10 ms records how late it fired. When
 * the client's loop runs late, every latency it measures is late by as much, so this bounds how
 * much of a measured figure is the machine rather than the server.
 */
final class LoopLag {

  private static final long PERIOD_MS = 10;
  private final Vertx vertx;
  private final LatencyStats lag = new LatencyStats();
  private long timer = -1;
  private long due;

  LoopLag(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Call on the load generator's event loop. */
  LoopLag start() {
    due = System.nanoTime() + PERIOD_MS * 1_000_000;
    timer = vertx.setPeriodic(PERIOD_MS, t -> {
      long now = System.nanoTime();
      lag.recordNanos(now - due);
      due = Math.max(due + PERIOD_MS * 1_000_000, now);
    });
    return this;
  }

  LatencyStats stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return lag;
  }
}
