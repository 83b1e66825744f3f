package dev.agentloop.gateway.chain;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A circuit breaker for one model, shared by every gateway verticle instance of this process, so it
 * holds its state in one atomic reference (no locks, nothing blocks). Closed: calls pass and
 * consecutive failures are counted. Open: calls are refused at once. After the reset time the next
 * call is let through as the single probe (half-open): its success closes the breaker, its failure
 * opens it again. A probe that reports nothing within the probe timeout gives up its slot: the next
 * call becomes the probe, so a lost probe cannot keep the breaker half-open for ever.
 */
public final class CircuitBreaker {

  public enum State {
    CLOSED(0), OPEN(1), HALF_OPEN(2);

    private final int gauge;

    State(int gauge) {
      this.gauge = gauge;
    }

    public int gauge() {
      return gauge;
    }
  }

  /** {@code sinceNanos}: when the breaker opened (OPEN), or when the probe started (HALF_OPEN). */
  private record Snapshot(State state, int failures, long sinceNanos) {
  }

  private final ResilienceConfig.Breaker config;
  private final LongSupplier nanoClock;
  private final AtomicReference<Snapshot> state = new AtomicReference<>(new Snapshot(State.CLOSED, 0, 0));

  CircuitBreaker(ResilienceConfig.Breaker config) {
    this(config, System::nanoTime);
  }

  /** With {@code nanoClock} in place of {@link System#nanoTime()}. */
  CircuitBreaker(ResilienceConfig.Breaker config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
  }

  /** Whether a call may go ahead now; a true answer in the half-open state makes the caller the probe. */
  public boolean tryAcquire() {
    if (!config.enabled()) {
      return true;
    }
    while (true) {
      Snapshot s = state.get();
      if (s.state() == State.CLOSED) {
        return true;
      }
      long now = nanoClock.getAsLong();
      long waitMs = s.state() == State.OPEN ? config.resetMs() : config.probeTimeoutMs();
      if (now - s.sinceNanos() < waitMs * 1_000_000L) {
        return false;
      }
      if (state.compareAndSet(s, new Snapshot(State.HALF_OPEN, s.failures(), now))) {
        return true;
      }
    }
  }

  public void onSuccess() {
    state.set(new Snapshot(State.CLOSED, 0, 0));
  }

  /**
   * An outcome that says nothing about the model (no instance, a lost connection or cluster
   * member): nothing is counted, and a half-open probe's slot is freed for the next call.
   */
  public void onNeutral() {
    Snapshot s = state.get();
    if (s.state() == State.HALF_OPEN) {
      // open as if the reset time were just over, so the next call may probe at once
      state.compareAndSet(s, new Snapshot(State.OPEN, s.failures(), nanoClock.getAsLong() - config.resetMs() * 1_000_000L));
    }
  }

  public void onFailure() {
    if (!config.enabled()) {
      return;
    }
    while (true) {
      Snapshot s = state.get();
      Snapshot next;
      if (s.state() == State.OPEN) {
        return;
      } else if (s.state() == State.HALF_OPEN || s.failures() + 1 >= config.failureThreshold()) {
        next = new Snapshot(State.OPEN, s.failures() + 1, nanoClock.getAsLong());
      } else {
        next = new Snapshot(State.CLOSED, s.failures() + 1, 0);
      }
      if (state.compareAndSet(s, next)) {
        return;
      }
    }
  }

  public State state() {
    return state.get().state();
  }

  /** Milliseconds until an open breaker lets a probe through (0 when it would now). */
  public long retryAfterMs() {
    Snapshot s = state.get();
    long left = config.resetMs() - (nanoClock.getAsLong() - s.sinceNanos()) / 1_000_000L;
    return s.state() == State.OPEN ? Math.max(0, left) : 0;
  }
}
