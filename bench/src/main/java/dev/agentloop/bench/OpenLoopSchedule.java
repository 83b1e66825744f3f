package dev.agentloop.bench;

/**
 * When each request of an open-loop run is meant to leave: request {@code i} (from 0) at
 * {@code start + i / rate}. The sender catches up on every tick with {@link #dueBy(long)}, so a late
 * tick sends a burst, and the latency of each request still counts from its own intended time.
 */
public final class OpenLoopSchedule {

  private final long startNanos;
  private final double ratePerSecond;

  public OpenLoopSchedule(long startNanos, double ratePerSecond) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    this.startNanos = startNanos;
    this.ratePerSecond = ratePerSecond;
  }

  public long intendedAt(long index) {
    return startNanos + (long) Math.floor(index * 1e9 / ratePerSecond);
  }

  /** How many requests (indices 0..n-1) are due at {@code nowNanos}. */
  public long dueBy(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    long n = (long) Math.floor((nowNanos - startNanos) * ratePerSecond / 1e9) + 1;
    while (n > 0 && intendedAt(n - 1) > nowNanos) {
      n--;
    }
    while (intendedAt(n) <= nowNanos) {
      n++;
    }
    return n;
  }

  public double ratePerSecond() {
    return ratePerSecond;
  }
}
