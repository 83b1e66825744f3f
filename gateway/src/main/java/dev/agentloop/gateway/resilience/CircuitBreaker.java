package dev.agentloop.gateway.resilience;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A circuit breaker for one model, shared by every gateway verticle instance of this process, so it
 * holds its state in one atomic reference (no locks, nothing blocks). Closed: calls pass and
 * consecutive failures are counted. Open: calls are refused at once. After the reset time the next
 * call is let through as the single probe (half-open): its success closes the breaker, its failure
 * opens it again.
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

  private record Snapshot(State state, int failures, long openedAtNanos) {
  }

  private final ResilienceConfig.Breaker config;
  private final AtomicReference<Snapshot> state = new AtomicReference<>(new Snapshot(State.CLOSED, 0, 0));

  CircuitBreaker(ResilienceConfig.Breaker config) {
    this.config = config;
  }

  /** Whether a call may go ahead now; a true answer in the half-open state makes the caller the probe. */
  public boolean tryAcquire() {
    if (!config.enabled()) {
      return true;
    }
    while (true) {
      Snapshot s = state.get();
      switch (s.state()) {
        case CLOSED:
          return true;
        case HALF_OPEN:
          return false;
        default:
          if (System.nanoTime() - s.openedAtNanos() < config.resetMs() * 1_000_000L) {
            return false;
          }
          if (state.compareAndSet(s, new Snapshot(State.HALF_OPEN, s.failures(), s.openedAtNanos()))) {
            return true;
          }
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
      state.compareAndSet(s, new Snapshot(State.OPEN, s.failures(), s.openedAtNanos()));
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
        next = new Snapshot(State.OPEN, s.failures() + 1, System.nanoTime());
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
    long left = config.resetMs() - (System.nanoTime() - s.openedAtNanos()) / 1_000_000L;
    return s.state() == State.OPEN ? Math.max(0, left) : 0;
  }
}
