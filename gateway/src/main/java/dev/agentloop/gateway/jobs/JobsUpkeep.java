package dev.agentloop.gateway.jobs;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the jobs verticle does besides running jobs: at start, marks interrupted the jobs an earlier
 * process of this node was running; then, periodically, deletes finished jobs past the retention.
 */
final class JobsUpkeep {

  private static final Logger LOG = LoggerFactory.getLogger(JobsUpkeep.class);

  private final Vertx vertx;
  private final JobStorage storage;
  private final JobsConfig config;
  private final BooleanSupplier stopping;

  JobsUpkeep(Vertx vertx, JobStorage storage, JobsConfig config, BooleanSupplier stopping) {
    this.vertx = vertx;
    this.storage = storage;
    this.config = config;
    this.stopping = stopping;
  }

  /** Jobs an earlier process of this node was running when it stopped now read back as interrupted. */
  Future<Void> interruptPrevious(String node, String incarnation, Counter interrupted) {
    return storage.interrupt(node, incarnation).onSuccess(n -> {
      if (n > 0) {
        LOG.info("jobs: {} jobs were running when the previous process of node {} stopped: now interrupted", n, node);
        interrupted.increment(n);
      }
    }).<Void>mapEmpty().recover(failure -> {
      LOG.warn("jobs: could not mark the jobs of the previous process interrupted ({}); trying again in 5 s",
          failure.getMessage());
      vertx.setTimer(5_000, t -> interruptPrevious(node, incarnation, interrupted));
      return Future.succeededFuture();
    });
  }

  /** Deletes finished jobs past the retention: a bounded number per storage call and per sweep. */
  void sweep(int round) {
    int batch = config.sweepBatch();
    long before = (System.currentTimeMillis() - config.retentionMs()) / 1000;
    storage.expire(before, batch).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("jobs: expiry sweep failed: {}", ar.cause().getMessage());
      } else if (ar.result() == batch && round < 9 && !stopping.getAsBoolean()) {
        sweep(round + 1);
      }
    });
  }
}
