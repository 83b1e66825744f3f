package dev.agentloop.bench;

import io.vertx.core.Vertx;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A progress line every two seconds while a run goes on. */
final class Progress {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private final Vertx vertx;
  private final long timer;
  private final long start = System.nanoTime();
  private long lastCount;
  private long lastNanos = start;

  Progress(Vertx vertx, String label, LatencyStats stats, LongSupplier completed) {
    this.vertx = vertx;
    this.timer = vertx.setPeriodic(2000, t -> {
      long now = System.nanoTime();
      long count = completed.getAsLong();
      double rate = (count - lastCount) / ((now - lastNanos) / 1e9);
      lastCount = count;
      lastNanos = now;
      LOG.info(String.format("  %-28s t=%5.1fs  done=%-8d %8.0f/s  errors=%d  p50=%.3fms p99=%.3fms", label,
          (now - start) / 1e9, count, rate, stats.errors(), stats.percentileMs(50), stats.percentileMs(99)));
    });
  }

  void stop() {
    vertx.cancelTimer(timer);
  }
}
