package dev.agentloop.contract.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late its event loop runs: a timer due every {@code lag_probe_interval_ms} records
 * how long after its due time it actually fired. Deployed with one instance per event loop, so
 * every loop is watched. A loop that is blocked cannot run the probe, so the gauge also counts the
 * time a tick is overdue right now: a block shows while it lasts, not only afterwards.
 *
 * <p>Series: {@code agentloop_eventloop_lag_seconds{thread}} (histogram) and
 * {@code agentloop_eventloop_lag_recent_max_seconds{thread}} (worst lag of the last two seconds).
 */
public final class LoopLagProbe extends VerticleBase {

  public static final String LAG_TIMER = "agentloop_eventloop_lag";
  public static final String LAG_RECENT_MAX = "agentloop_eventloop_lag_recent_max";
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long intervalNanos;
  private final MeterRegistry registry;
  private Timer lag;
  private long timerId = -1;
  private volatile long dueAtNanos;
  private volatile long recentMaxNanos;
  private long windowMaxNanos;
  private long previousWindowMaxNanos;
  private long windowStartNanos;

  /** A probe due every {@code intervalMs} ({@code observability.lag_probe_interval_ms}). */
  public LoopLagProbe(long intervalMs, MeterRegistry registry) {
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    String thread = Thread.currentThread().getName();
    lag = Timer.builder(LAG_TIMER)
        .description("How late a timer due on this event loop fired (event-loop lag)")
        .tag("thread", thread)
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10))
        .register(registry);
    Gauge.builder(LAG_RECENT_MAX, this, LoopLagProbe::recentMaxSeconds)
        .description("Worst event-loop lag over the last two seconds, including a tick overdue right now")
        .tag("thread", thread)
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    windowStartNanos = System.nanoTime();
    schedule();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }

  private void schedule() {
    dueAtNanos = System.nanoTime() + intervalNanos;
    timerId = vertx.setTimer(TimeUnit.NANOSECONDS.toMillis(intervalNanos), id -> tick());
  }

  private void tick() {
    long now = System.nanoTime();
    long late = Math.max(0, now - dueAtNanos);
    lag.record(late, TimeUnit.NANOSECONDS);
    if (now - windowStartNanos >= WINDOW_NANOS) {
      previousWindowMaxNanos = windowMaxNanos;
      windowMaxNanos = 0;
      windowStartNanos = now;
    }
    windowMaxNanos = Math.max(windowMaxNanos, late);
    recentMaxNanos = Math.max(windowMaxNanos, previousWindowMaxNanos);
    schedule();
  }

  private double recentMaxSeconds() {
    long overdue = Math.max(0, System.nanoTime() - dueAtNanos);
    return Math.max(recentMaxNanos, overdue) / 1e9;
  }
}
