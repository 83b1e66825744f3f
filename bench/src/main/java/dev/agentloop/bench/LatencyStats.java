package dev.agentloop.bench;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies in nanoseconds (HdrHistogram, 3 significant digits) plus an error count. Not thread-safe:
 * the load generator records everything on its single event loop.
 *
 * <p>Open-loop latency is measured from the moment a request was <em>meant</em> to be sent, not
 * from when it actually left: when the server (or the client) falls behind, requests wait, and that
 * wait is part of what a user sees. Measuring from the actual send would hide it (coordinated
 * omission).
 */
public final class LatencyStats {

  private static final long HIGHEST = TimeUnit.MINUTES.toNanos(10);
  private final Histogram histogram = new Histogram(HIGHEST, 3);
  private long errors;

  /** Records one answer: {@code doneNanos - intendedNanos}, both from {@link System#nanoTime()}. */
  public void recordFromIntended(long intendedNanos, long doneNanos) {
    recordNanos(doneNanos - intendedNanos);
  }

  public void recordNanos(long nanos) {
    histogram.recordValue(Math.min(HIGHEST, Math.max(0, nanos)));
  }

  /** Adds another run's samples and errors to this one. */
  public LatencyStats add(LatencyStats other) {
    histogram.add(other.histogram);
    errors += other.errors;
    return this;
  }

  public void recordError() {
    errors++;
  }

  public long count() {
    return histogram.getTotalCount();
  }

  public long errors() {
    return errors;
  }

  public double percentileMs(double percentile) {
    return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e6;
  }

  public double meanMs() {
    return count() == 0 ? Double.NaN : histogram.getMean() / 1e6;
  }

  public double maxMs() {
    return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1e6;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("count", count())
        .put("errors", errors)
        .put("mean_ms", round(meanMs()))
        .put("p50_ms", round(percentileMs(50)))
        .put("p90_ms", round(percentileMs(90)))
        .put("p99_ms", round(percentileMs(99)))
        .put("p99_9_ms", round(percentileMs(99.9)))
        .put("max_ms", round(maxMs()));
  }

  static Double round(double value) {
    return Double.isNaN(value) ? null : Math.round(value * 1000) / 1000.0;
  }
}
