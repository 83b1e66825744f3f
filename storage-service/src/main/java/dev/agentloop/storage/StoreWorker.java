package dev.agentloop.storage;

import dev.agentloop.contract.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import org.slf4j.Logger;

/**
 * The one thread a part of the embedded store does its file work on (a named shared worker pool of
 * one): what it owns is confined to that thread and needs no lock. {@link #run} hands a failure
 * that is not already an {@link ApiException} to the caller as a 503, logged once.
 */
final class StoreWorker {

  private final WorkerExecutor executor;
  private final boolean ordered;
  private final Logger log;
  private final String failure;
  private final String failed;

  /**
   * @param ordered whether work runs in the order of the calling context's queue
   * @param failure what the log says when work fails
   * @param failed the start of the 503's message, before the failure's own
   */
  StoreWorker(Vertx vertx, String name, boolean ordered, Logger log, String failure, String failed) {
    this.executor = vertx.createSharedWorkerExecutor(name, 1);
    this.ordered = ordered;
    this.log = log;
    this.failure = failure;
    this.failed = failed;
  }

  /** Runs {@code work} on the worker; an {@link ApiException} fails the future as it is, anything else as a 503. */
  <T> Future<T> run(Callable<T> work) {
    return runAsIs(work).recover(cause -> {
      if (cause instanceof ApiException) {
        return Future.failedFuture(cause);
      }
      log.error(failure, cause);
      return Future.failedFuture(ApiException.unavailable(failed + cause.getMessage()));
    });
  }

  /** Runs {@code work} on the worker, its failure as it is. */
  <T> Future<T> runAsIs(Callable<T> work) {
    return executor.executeBlocking(work, ordered);
  }

  Future<Void> close() {
    return executor.close();
  }
}
