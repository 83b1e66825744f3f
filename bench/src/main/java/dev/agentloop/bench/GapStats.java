package dev.agentloop.bench;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Inter-token gap distortion: for every two consecutive tokens of a stream, observed gap minus the
 * gap the model is configured to leave. The histogram holds the absolute distortion (a late token
 * followed by an on-time one shows up as one late and one early gap, and both count); early and
 * late gaps are also counted apart.
 */
public final class GapStats {

  private static final long HIGHEST = TimeUnit.MINUTES.toNanos(10);
  private final long configuredNanos;
  private final Histogram distortion = new Histogram(HIGHEST, 3);
  private final Histogram observed = new Histogram(HIGHEST, 3);
  private long early;
  private long late;

  public GapStats(long configuredNanos) {
    this.configuredNanos = configuredNanos;
  }

  /** Records one observed gap and returns its distortion (observed - configured), in nanoseconds. */
  public long recordGap(long observedNanos) {
    long d = observedNanos - configuredNanos;
    if (d < 0) {
      early++;
    } else if (d > 0) {
      late++;
    }
    distortion.recordValue(Math.min(HIGHEST, Math.abs(d)));
    observed.recordValue(Math.min(HIGHEST, Math.max(0, observedNanos)));
    return d;
  }

  public long count() {
    return distortion.getTotalCount();
  }

  public long early() {
    return early;
  }

  public long late() {
    return late;
  }

  /** Percentile of |observed - configured|, in milliseconds. */
  public double distortionMs(double percentile) {
    return count() == 0 ? Double.NaN : distortion.getValueAtPercentile(percentile) / 1e6;
  }

  public double observedMs(double percentile) {
    return count() == 0 ? Double.NaN : observed.getValueAtPercentile(percentile) / 1e6;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("gaps", count())
        .put("configured_gap_ms", configuredNanos / 1e6)
        .put("distortion_p50_ms", LatencyStats.round(distortionMs(50)))
        .put("distortion_p99_ms", LatencyStats.round(distortionMs(99)))
        .put("distortion_p99_9_ms", LatencyStats.round(distortionMs(99.9)))
        .put("distortion_max_ms", LatencyStats.round(count() == 0 ? Double.NaN : distortion.getMaxValue() / 1e6))
        .put("observed_gap_p50_ms", LatencyStats.round(observedMs(50)))
        .put("observed_gap_p99_ms", LatencyStats.round(observedMs(99)))
        .put("early_gaps", early)
        .put("late_gaps", late);
  }
}
